// libjpeg-turbo's TurboJPEG API for pairmatch. Pixel-format and flag enums/macros re-exposed as functions.
#ifndef PAIRMATCH_CTURBOJPEG_SHIM_H
#define PAIRMATCH_CTURBOJPEG_SHIM_H
#include <turbojpeg.h>

static inline int pm_tjpf_rgb(void) { return TJPF_RGB; }
static inline int pm_tjflag_accuratedct(void) { return TJFLAG_ACCURATEDCT; }
static inline int pm_tjflag_stoponwarning(void) { return TJFLAG_STOPONWARNING; }
static inline int pm_tjerr_fatal(void) { return TJERR_FATAL; }
#endif
