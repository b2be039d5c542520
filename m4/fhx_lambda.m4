dnl FHX_LAMBDA: what the Lambda front-end (examples/lambda) needs.
dnl  - FHX_LAMBDA_LDFLAGS: -all-static when a static program links with the
dnl    current CFLAGS/LDFLAGS (not under the sanitizers), so the bootstrap
dnl    needs no glibc at all on provided.al2023 (glibc 2.34);
dnl  - AARCH64_CC, QEMU_AARCH64: the arm64 cross compiler and user-mode
dnl    emulator for the arm64 bootstrap and its test (both optional);
dnl  - PYTHON3: the Runtime API emulator of the tests (Debian's python3
dnl    first: it needs only the standard library).
AC_DEFUN([FHX_LAMBDA], [
  AC_MSG_CHECKING([whether programs link statically (Lambda bootstrap)])
  fhx_lambda_save_LDFLAGS=$LDFLAGS
  LDFLAGS="$LDFLAGS -static"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <stdio.h>]],
                                  [[return puts("static") < 0;]])],
                 [fhx_lambda_static=yes], [fhx_lambda_static=no])
  LDFLAGS=$fhx_lambda_save_LDFLAGS
  AC_MSG_RESULT([$fhx_lambda_static])
  AS_IF([test "x$fhx_lambda_static" = xyes],
        [FHX_LAMBDA_LDFLAGS=-all-static], [FHX_LAMBDA_LDFLAGS=])
  FHX_LAMBDA_STATIC=$fhx_lambda_static
  AC_SUBST([FHX_LAMBDA_LDFLAGS])
  AC_SUBST([FHX_LAMBDA_STATIC])
  AC_ARG_VAR([AARCH64_CC], [arm64 cross compiler for the Lambda bootstrap])
  AC_CHECK_PROGS([AARCH64_CC], [aarch64-linux-gnu-gcc], [])
  AC_ARG_VAR([QEMU_AARCH64], [arm64 user-mode emulator for its test])
  AC_PATH_PROGS([QEMU_AARCH64], [qemu-aarch64-static qemu-aarch64], [])
  AC_ARG_VAR([PYTHON3], [Python 3 for the Runtime API emulator])
  AC_PATH_PROG([PYTHON3], [python3], [], [/usr/bin$PATH_SEPARATOR$PATH])
])
