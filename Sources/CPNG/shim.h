// libpng's simplified png_image API for pairmatch. Format and version macros re-exposed as functions.
#ifndef PAIRMATCH_CPNG_SHIM_H
#define PAIRMATCH_CPNG_SHIM_H
#include <png.h>

static inline png_uint_32 pm_png_image_version(void) { return PNG_IMAGE_VERSION; }
static inline png_uint_32 pm_png_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline int pm_png_image_failed(png_imagep image) { return PNG_IMAGE_FAILED(*image); }
static inline size_t pm_png_image_size(png_image image) { return PNG_IMAGE_SIZE(image); }
#endif
