"""pip build of firehose_xform, offline (no package index is needed):

    python3 -m venv --system-site-packages venv
    venv/bin/pip install --no-index --no-build-isolation bindings/python

Builds one self-contained extension, firehose_xform._native: SWIG's
wrapper of firehose_xform.i, the glue in src/ and the library's own
sources (../../src), so nothing else needs installing at run time. Needs
swig, a C compiler and the Python headers (Debian: swig, build-essential,
python3-dev; setuptools and wheel from python3-setuptools, python3-wheel).
configure is not needed: include/fhx/version.h is generated here.
"""
import glob
import os
import re
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))


def version():
    with open(os.path.join(TOP, "configure.ac")) as f:
        m = re.search(r"AC_INIT\(\[libfirehose-xform\],\s*\[([0-9.]+)\]",
                      f.read())
    if not m:
        raise SystemExit("setup.py: no version in configure.ac")
    return m.group(1)


VERSION = version()


class BuildExt(build_ext):
    """Generate version.h and SWIG's wrapper, then compile."""

    def run(self):
        gen = os.path.abspath(os.path.join(self.build_temp, "fhx-gen"))
        os.makedirs(os.path.join(gen, "fhx"), exist_ok=True)
        major, minor, patch = VERSION.split(".")
        with open(os.path.join(TOP, "include", "fhx", "version.h.in")) as f:
            text = f.read()
        for key, value in (("@FHX_VERSION_MAJOR@", major),
                           ("@FHX_VERSION_MINOR@", minor),
                           ("@FHX_VERSION_PATCH@", patch),
                           ("@PACKAGE_VERSION@", VERSION)):
            text = text.replace(key, value)
        with open(os.path.join(gen, "fhx", "version.h"), "w") as f:
            f.write(text)
        swig = (os.environ.get("SWIG") or shutil.which("swig4.0")
                or shutil.which("swig"))
        if not swig:
            raise SystemExit("firehose_xform needs SWIG: apt-get install swig")
        pkg = os.path.join(self.build_lib, "firehose_xform")
        os.makedirs(pkg, exist_ok=True)
        wrap = os.path.join(gen, "native_wrap.c")
        subprocess.check_call([swig, "-python", "-builtin",
                               "-I" + os.path.join(HERE, "src"),
                               "-outdir", pkg, "-o", wrap,
                               os.path.join(HERE, "firehose_xform.i")])
        for ext in self.extensions:
            if wrap not in ext.sources:
                ext.sources.append(wrap)
            ext.include_dirs.insert(0, gen)
        super().run()


native = Extension(
    "firehose_xform._native",
    sources=sorted(glob.glob(os.path.join(HERE, "src", "fhxpy_*.c")))
    # The SIMD kernels need per-file ISA flags, which a setuptools
    # Extension cannot give; a pip build uses the scalar kernel (the
    # configure build, --enable-python, links the library with all of them).
    + sorted(f for f in glob.glob(os.path.join(TOP, "src", "*.c"))
             if not os.path.basename(f).startswith(
                 ("kernel_avx2", "kernel_avx512", "kernel_neon"))),
    include_dirs=[os.path.join(HERE, "src"), os.path.join(TOP, "include"),
                  os.path.join(TOP, "src")],
    define_macros=[("FHX_BUILDING", None)],
    extra_compile_args=["-fvisibility=hidden"],
)

setup(
    name="firehose-xform",
    version=VERSION,
    description="libfirehose-xform for Python: Amazon Data Firehose "
                "transformation Lambdas with the C engine",
    packages=["firehose_xform"],
    package_dir={"firehose_xform": os.path.join("firehose_xform")},
    ext_modules=[native],
    cmdclass={"build_ext": BuildExt},
    python_requires=">=3.8",
    zip_safe=False,
)
