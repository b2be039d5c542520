# FHX_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT], [EXTRA-FLAGS])
# Compile an empty program with FLAG (plus EXTRA-FLAGS) added to CFLAGS.
AC_DEFUN([FHX_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([fhx_var], [fhx_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [fhx_var], [
    fhx_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS $4 $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
      [AS_VAR_SET([fhx_var], [yes])], [AS_VAR_SET([fhx_var], [no])])
    CFLAGS=$fhx_save_CFLAGS])
  AS_VAR_IF([fhx_var], [yes], [$2], [$3])
  AS_VAR_POPDEF([fhx_var])
])
