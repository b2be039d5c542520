# FHX_PYTHON
# --enable-python (off by default): build the Python binding in
# bindings/python (a SWIG extension and the firehose_xform package).
# It needs SWIG (apt-get install swig) and the headers of the Python it
# builds for (python3-dev). The interpreter is Debian's /usr/bin/python3
# unless PYTHON=... is given: a python3 found first on PATH (pyenv, conda)
# is not the one the apt packages serve. pytest (python3-pytest) runs the
# tests; without it they are skipped, with a warning here.
AC_DEFUN([FHX_PYTHON], [
  AC_ARG_ENABLE([python],
    [AS_HELP_STRING([--enable-python],
      [build the Python binding (needs swig and python3-dev)])],
    [], [enable_python=no])
  AS_IF([test "x$enable_python" = xyes], [
    AS_IF([test "x$enable_shared" != xyes],
      [AC_MSG_ERROR([--enable-python builds a shared module: drop --disable-shared])])
    AS_IF([test -z "$PYTHON" && test -x /usr/bin/python3],
      [PYTHON=/usr/bin/python3])
    AM_PATH_PYTHON([3.8])
    AS_IF([test "x$PYTHON" = x/usr/bin/python3],
      [fhx_py_dev="apt-get install python3-dev"],
      [fhx_py_dev="the development headers of $PYTHON"])
    AC_PATH_PROGS([SWIG], [swig4.0 swig], [])
    AS_IF([test -z "$SWIG"],
      [AC_MSG_ERROR([--enable-python needs SWIG >= 4.0: apt-get install swig])])
    fhx_swig_major=`$SWIG -version | sed -n 's/^SWIG Version \([[0-9]]*\)\..*/\1/p'`
    AS_IF([test "${fhx_swig_major:-0}" -lt 4],
      [AC_MSG_ERROR([SWIG >= 4.0 is needed, $SWIG is older: apt-get install swig])])
    AC_MSG_CHECKING([for the headers of $PYTHON])
    fhx_py_inc=`$PYTHON -c 'import sysconfig; print(sysconfig.get_paths()[["include"]])'`
    AS_IF([test -f "$fhx_py_inc/Python.h"], [AC_MSG_RESULT([$fhx_py_inc])], [
      AC_MSG_RESULT([no])
      AC_MSG_ERROR([Python.h not found in $fhx_py_inc: $fhx_py_dev])])
    PYTHON_CPPFLAGS="-isystem $fhx_py_inc"
    PYTHON_EXT_SUFFIX=`$PYTHON -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))'`
    fhx_save_CPPFLAGS=$CPPFLAGS
    CPPFLAGS="$CPPFLAGS $PYTHON_CPPFLAGS"
    AC_CHECK_HEADER([Python.h], [],
      [AC_MSG_ERROR([Python.h does not compile: $fhx_py_dev])])
    CPPFLAGS=$fhx_save_CPPFLAGS
    AC_MSG_CHECKING([for pytest in $PYTHON])
    AS_IF([$PYTHON -c 'import pytest' >/dev/null 2>&1],
      [AC_MSG_RESULT([yes])],
      [AC_MSG_RESULT([no])
       AC_MSG_WARN([the Python tests will be skipped: apt-get install python3-pytest])])
  ])
  AC_SUBST([PYTHON_CPPFLAGS])
  AC_SUBST([PYTHON_EXT_SUFFIX])
  AM_CONDITIONAL([FHX_PYTHON], [test "x$enable_python" = xyes])
])
