// The HTTP API client every page uses. A refusal becomes an ApiError carrying the contract's
// {code, reason, message, detail}; a server that cannot be reached becomes code and reason "network"
// (never a silent failure). Pages choose their sentence from code and reason (errors.js describe),
// never from the wording of message.
export class ApiError extends Error {
  /**
   * @param code the contract's error code
   * @param message the server's sentence (or, with `local`, one written here)
   * @param status the HTTP status (0: no answer)
   * @param more {reason, detail, local}: the rule that refused, the values a page may show
   *   (e.g. {number: "P003"}), and whether `message` was written by this client, not the server
   */
  constructor(code, message, status = 0, { reason = null, detail = null, local = false } = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.reason = reason;
    this.detail = detail && typeof detail === "object" ? detail : {};
    this.local = local;
  }
}

export function newIdempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function api(method, path, { body, token, idempotencyKey, timeoutMs = 8000 } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: abort.signal, cache: "no-store",
    });
  } catch (err) {
    throw new ApiError("network", "The server cannot be reached.", 0, { reason: "network", local: true });
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try { data = await response.json(); } catch { /* not JSON: handled below */ }
  if (response.ok) return data;
  throw refusal(response, data);
}

function refusal(response, data) {
  const error = data && data.error;
  if (error && error.code) {
    return new ApiError(error.code, error.message || "", response.status, { reason: error.reason || null, detail: error.detail });
  }
  // Not the contract's shape (a proxy's error page): the status is all there is to say.
  return new ApiError(response.status >= 500 ? "unavailable" : "invalid", `HTTP ${response.status}`, response.status, { local: true });
}

/** A file the API answers with (a report as XLSX or CSV): its Blob, or the same ApiError as api(). */
export async function apiFile(path, { token, timeoutMs = 120000 } = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    let response;
    try {
      response = await fetch(`/api/v1${path}`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: abort.signal, cache: "no-store",
      });
    } catch (err) {
      throw new ApiError("network", "The server cannot be reached.", 0, { reason: "network", local: true });
    }
    if (response.ok) return await response.blob();
    let data = null;
    try { data = await response.json(); } catch { /* not JSON */ }
    throw refusal(response, data);
  } finally {
    clearTimeout(timer);
  }
}
