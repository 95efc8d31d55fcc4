/*
 * The SPA on the public port: files of STATIC_DIR (the built frontend), index.html for client-side routes,
 * and a small built-in page when no frontend has been built. Never under /api or /internal.
 *
 * Caching: Vite names every file under /assets/ by a hash of its content, so those are cached for a year as
 * immutable; everything else (index.html, which names the current assets) is "no-cache": revalidated at
 * each use, so a deploy is seen at the next load. Assets come precompressed from the build (name.gz,
 * name.br next to name): the one the client accepts is sent with Content-Encoding and Vary, never one it
 * did not ask for. A missing /assets/ file is 404, not index.html (HTML cached a year as a script would
 * break the app until the cache expires).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "operational/accept_encoding.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "common/version.h"

#define STATIC_MAX_FILE (8u << 20) /* the largest asset served (a built SPA bundle is far smaller) */

static const char *const content_types[][2] = {
  { ".html", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".json", "application/json" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".ico", "image/x-icon" },
  { ".woff2", "font/woff2" },
  { ".txt", "text/plain; charset=utf-8" },
  { ".map", "application/json" },
};

static const char *content_type_of(const char *path)
{
  const char *dot = strrchr(path, '.');
  for (size_t i = 0; dot && i < sizeof(content_types) / sizeof(content_types[0]); i++)
    if (strcmp(dot, content_types[i][0]) == 0)
      return content_types[i][1];
  return "application/octet-stream";
}

/* Reads a regular file of at most STATIC_MAX_FILE bytes; PARITY_ENOTFOUND when there is none. */
static int read_file(const char *path, char **data, size_t *len)
{
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
    return PARITY_ENOTFOUND;
  if ((size_t)st.st_size > STATIC_MAX_FILE)
    return PARITY_ETOOBIG;
  FILE *f = fopen(path, "rb");
  if (!f)
    return PARITY_ENOTFOUND;
  char *buf = parity_xmalloc((size_t)st.st_size + 1);
  *len = fread(buf, 1, (size_t)st.st_size, f);
  fclose(f);
  *data = buf;
  return PARITY_OK;
}

static const char placeholder[] =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Parity</title></head><body>"
    "<h1>Parity</h1><p>The API is running under <a href=\"/api/v1/openapi.json\">/api/v1</a>. "
    "The web app has not been built into STATIC_DIR yet.</p><p>Market data: "
    "<a href=\"/api/v1/market/status\">/api/v1/market/status</a>; model portfolios: "
    "<a href=\"/api/v1/models\">/api/v1/models</a>.</p></body></html>\n";

#define ASSETS_PREFIX "/assets/"
#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define CACHE_REVALIDATE "no-cache"

static int file_exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A hashed asset: the stored coding the client accepts, else the file itself. */
static int read_asset(struct parity_request *req, const char *path, char **data, size_t *len, const char **encoding)
{
  char variant[4096 + 4];
  snprintf(variant, sizeof(variant), "%s.br", path);
  bool have_br = file_exists(variant);
  snprintf(variant, sizeof(variant), "%s.gz", path);
  bool have_gz = file_exists(variant);
  *encoding = NULL;
  enum parity_coding c = parity_choose_coding(parity_req_header(req, "Accept-Encoding"), have_gz, have_br);
  if (c != PARITY_CODING_IDENTITY) {
    snprintf(variant, sizeof(variant), "%s.%s", path, c == PARITY_CODING_BR ? "br" : "gz");
    if (read_file(variant, data, len) == PARITY_OK) {
      *encoding = c == PARITY_CODING_BR ? "br" : "gzip";
      return PARITY_OK;
    }
  }
  return read_file(path, data, len);
}

int h_static(struct parity_request *req, struct parity_response *res)
{
  const char *dir = req->app->cfg.static_dir;
  char path[4096];
  char *data = NULL;
  size_t len = 0;
  const char *encoding = NULL;
  bool asset = strncmp(req->path, ASSETS_PREFIX, strlen(ASSETS_PREFIX)) == 0;
  /* The request path was checked before routing (no "..", "//", backslash or encoded separators). */
  int rc = PARITY_ENOTFOUND;
  bool fits = snprintf(path, sizeof(path), "%s%s", dir, req->path) < (int)sizeof(path);
  if (asset) {
    rc = fits ? read_asset(req, path, &data, &len, &encoding) : PARITY_ENOTFOUND;
    if (rc)
      return parity_res_error(res, PARITY_ENOTFOUND, NULL, "no such file");
  } else if (strcmp(req->path, "/") != 0 && fits) {
    rc = read_file(path, &data, &len);
  }
  if (rc == PARITY_ENOTFOUND && snprintf(path, sizeof(path), "%s/index.html", dir) < (int)sizeof(path))
    rc = read_file(path, &data, &len); /* client-side routes of the SPA */
  if (rc == PARITY_ETOOBIG)
    return parity_res_error(res, PARITY_ENOTFOUND, NULL, "no such file");
  if (rc) {
    data = parity_xstrdup(placeholder);
    len = strlen(placeholder);
    strcpy(path, "index.html");
  }
  res->raw = data;
  res->raw_len = len;
  res->content_type = content_type_of(path);
  res->status = 200;
  parity_res_header(res, "Cache-Control", asset ? CACHE_IMMUTABLE : CACHE_REVALIDATE);
  if (asset)
    parity_res_header(res, "Vary", "Accept-Encoding");
  if (encoding)
    parity_res_header(res, "Content-Encoding", encoding);
  return PARITY_OK;
}
