// The HTTP API client every page uses. A refusal becomes an ApiError carrying the contract's
// {code, message}; a server that cannot be reached becomes code "network" (never a silent failure).
export class ApiError extends Error {
  constructor(code, message, status = 0) {
    super(message);
    this.code = code;
    this.status = status;
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
    throw new ApiError("network", "The server cannot be reached.");
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try { data = await response.json(); } catch { /* not JSON: handled below */ }
  if (response.ok) return data;
  const error = data && data.error;
  if (error && error.code) throw new ApiError(error.code, error.message || "", response.status);
  throw new ApiError(response.status >= 500 ? "unavailable" : "invalid", `HTTP ${response.status}`, response.status);
}
