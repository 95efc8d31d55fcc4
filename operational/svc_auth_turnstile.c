/* Cloudflare Turnstile: the server-side siteverify check of register, login and forgot-password (libcurl). */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/svc_auth.h"

struct answer {
  struct parity_buf body; /* bounded by PARITY_AUTH_TURNSTILE_ANSWER_MAX */
  bool too_big;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  struct answer *a = userdata;
  size_t n = size * nmemb;
  if (parity_buf_add(&a->body, ptr, n)) {
    a->too_big = true;
    return 0; /* aborts the transfer */
  }
  return n;
}

/* "name=value" with the value URL-encoded, appended to the form. */
static void form_add(CURL *c, char **form, const char *name, const char *value)
{
  char *escaped = curl_easy_escape(c, value, 0);
  if (!escaped)
    abort();
  size_t old = *form ? strlen(*form) : 0, add = strlen(name) + strlen(escaped) + 2;
  char *grown = parity_xrealloc(*form, old + add + 1);
  snprintf(grown + old, add + 1, "%s%s=%s", old ? "&" : "", name, escaped);
  *form = grown;
  curl_free(escaped);
}

int parity_svc_auth_turnstile(struct parity_app *app, const char *token, const char *client_ip,
                              struct parity_svc_error *fail)
{
  const char *secret = app->cfg.turnstile_secret;
  if (!secret || !secret[0])
    return PARITY_OK; /* dev: no Turnstile configured */
  if (!token || !token[0] || strlen(token) > PARITY_AUTH_TURNSTILE_TOKEN_MAX) {
    return parity_svc_fail(fail, PARITY_EINVAL, "CAPTCHA_REQUIRED", "%s",
                           "the turnstile_token of the challenge is required");
  }
  CURL *c = curl_easy_init();
  if (!c)
    abort();
  char *form = NULL;
  struct answer a = { .too_big = false };
  parity_buf_init(&a.body, PARITY_AUTH_TURNSTILE_ANSWER_MAX);
  form_add(c, &form, "secret", secret);
  form_add(c, &form, "response", token);
  if (client_ip && client_ip[0])
    form_add(c, &form, "remoteip", client_ip);
  curl_easy_setopt(c, CURLOPT_URL, app->cfg.turnstile_verify_url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)PARITY_AUTH_TURNSTILE_TIMEOUT_MS);
  CURLcode cc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  free(form);

  int rc = PARITY_OK;
  json_t *doc = NULL;
  if (cc != CURLE_OK || status != 200 || !a.body.data) {
    parity_log(PARITY_LOG_WARN, "turnstile_unreachable", "{s:s, s:i}", "error",
               cc != CURLE_OK ? curl_easy_strerror(cc) : "bad answer", "status", (int)status);
    /* Fail closed: without the check the endpoint would be open to the bots it is there to stop. */
    fail->retry_after = 5;
    rc = parity_svc_fail(fail, PARITY_EUNAVAILABLE, "CAPTCHA_UNAVAILABLE", "%s",
                         "the human check is unavailable: try again shortly");
    goto out;
  }
  doc = json_loads(a.body.data, 0, NULL);
  if (!json_is_true(json_object_get(doc, "success"))) {
    rc = parity_svc_fail(fail, PARITY_EINVAL, "CAPTCHA_FAILED", "%s", "the human check failed: try again");
  }
out:
  json_decref(doc);
  parity_buf_free(&a.body);
  return rc;
}
