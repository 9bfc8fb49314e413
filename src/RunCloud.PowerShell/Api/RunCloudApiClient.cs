using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Api
{
    /// <summary>
    /// The JSON layer over the connection's HttpClient: builds requests exactly as the contract says
    /// (Accept: application/json; JSON bodies with Content-Type: application/json), turns non-2xx answers into
    /// <see cref="RunCloudApiException"/>s, and reads list pages.
    /// </summary>
    internal sealed class RunCloudApiClient : IDisposable
    {
        public const int MaxPerPage = 40;
        private static readonly JsonSerializerSettings s_json = new JsonSerializerSettings { NullValueHandling = NullValueHandling.Ignore };
        private readonly HttpClient _http;
        private readonly Uri _baseUri;
        private readonly object _gate = new object();
        private int _inFlight;
        private bool _closing;
        private bool _disposed;

        public RunCloudApiClient(HttpClient http, Uri baseUri)
        {
            _http = http;
            _baseUri = baseUri;
        }

        public Task<JToken> GetAsync(string path, CancellationToken ct, IDictionary<string, string>? query = null) =>
            SendAsync(HttpMethod.Get, path, null, ct, query);

        /// <param name="nonRepeatable">The request has a costly effect (add domain, SSL install or redeploy): never re-sent
        /// after an ambiguous failure (see <see cref="RequestProperties.NonRepeatable"/>).</param>
        public async Task<JToken> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct,
            IDictionary<string, string>? query = null, bool nonRepeatable = false)
        {
            Enter(method.Method, path);
            try
            {
                Uri uri = BuildUri(path, query);
                using var request = new HttpRequestMessage(method, uri);
                if (nonRepeatable) request.Properties[RequestProperties.NonRepeatable] = true;
                request.Headers.Accept.ParseAdd("application/json");
                if (body != null)
                {
                    string json = body as string ?? SerializeBody(body);
                    request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                }

                // ResponseHeadersRead: the body is already buffered, bounded in time and size, inside the handler chain (ExchangeHandler).
                using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                string text = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                int status = (int)response.StatusCode;
                JToken? parsed = TryParse(text);
                if (status >= 200 && status < 300)
                {
                    if (parsed == null)
                    {
                        throw new RunCloudApiException(ErrorIds.InvalidResponse, ErrorCategory.InvalidResult,
                            $"RunCloud answered {status} to {method.Method} {uri.AbsolutePath} with a body that is not valid JSON.",
                            "Run the command again; if it persists, RunCloud (or a proxy in between) is returning something other than the API's JSON.",
                            status, method: method.Method, path: uri.AbsolutePath,
                            mayHaveBeenApplied: nonRepeatable || !HttpMethods.IsIdempotent(method.Method));
                    }

                    return parsed;
                }

                string? message = parsed?["message"]?.Type == JTokenType.String ? (string?)parsed["message"] : null;
                // The ids named in the error are the ones this request used (read back from its path), never a connection default.
                ApiPaths.ReadIds(path, out long? serverId, out long? webAppId);
                RunCloudApiException error = RunCloudApiException.FromResponse(status, response.ReasonPhrase ?? string.Empty, method.Method, uri.AbsolutePath,
                    message, ReadValidationErrors(parsed), RetryAfterHeader.Read(response), serverId, webAppId, response.Headers.Location, usedApiKey: UsesApiKey);
                if (response.RequestMessage != null)
                {
                    error.Attempts = RequestProperties.GetAttempt(response.RequestMessage);
                    error.Elapsed = RequestProperties.GetElapsed(response.RequestMessage);
                }

                throw error;
            }
            finally
            {
                Leave();
            }
        }

        /// <summary>True when the connection authenticates with API key + secret (v2 Basic): a 401 then hints at API tokens.</summary>
        public bool UsesApiKey { get; set; }

        /// <summary>The account's call meter and quota (null: not counted); the apply engine reads the quota rules from it.</summary>
        public ApiUsageMeter? Usage { get; set; }

        /// <summary>The connection's clock: what a sync through it reads as "now" (the last full reconcile, the month's usage).</summary>
        public Clock Clock { get; set; } = Clock.Real;

        /// <summary>
        /// A request body as JSON with every null-valued key left out (at any depth, dictionaries included, which
        /// NullValueHandling alone does not cover): RunCloud's Laravel validation treats a present null as a value.
        /// </summary>
        internal static string SerializeBody(object body)
        {
            JToken token = body as JToken ?? JToken.FromObject(body, JsonSerializer.Create(s_json));
            return DropNulls(token.DeepClone()).ToString(Formatting.None);
        }

        private static JToken DropNulls(JToken token)
        {
            if (token is JObject o)
            {
                foreach (JProperty p in o.Properties().ToList())
                {
                    if (p.Value.Type == JTokenType.Null) p.Remove();
                    else DropNulls(p.Value);
                }
            }
            else if (token is JArray a)
            {
                foreach (JToken item in a) DropNulls(item);
            }

            return token;

        }

        /// <summary>Reads one list page; a GET that answers malformed JSON is read again once (GET is safe to repeat).</summary>
        public async Task<ApiPage> GetPageAsync(string path, int page, int perPage, CancellationToken ct, IDictionary<string, string>? query = null)
        {
            var q = query == null ? new Dictionary<string, string>() : new Dictionary<string, string>(query);
            q["page"] = page.ToString(CultureInfo.InvariantCulture);
            q["perPage"] = perPage.ToString(CultureInfo.InvariantCulture);
            JToken token;
            try
            {
                token = await GetAsync(path, ct, q).ConfigureAwait(false);
            }
            catch (RunCloudApiException ex) when (ex.ErrorId == ErrorIds.InvalidResponse)
            {
                token = await GetAsync(path, ct, q).ConfigureAwait(false);
            }

            if (!(token is JObject obj) || !(obj["data"] is JArray data))
            {
                throw new RunCloudApiException(ErrorIds.InvalidResponse, ErrorCategory.InvalidResult,
                    $"RunCloud's answer to GET {path} has no 'data' list.", "Check -BaseUri: it must be RunCloud's API (…/api/v2/ or …/api/v3/).",
                    method: "GET", path: path);
            }

            try
            {
                JObject? pagination = Json.ObjectOrNull(Json.ObjectOrNull(obj, "meta", "meta"), "pagination", "meta.pagination");
                return new ApiPage(data, page, perPage, Json.IntOrNull(pagination?["total"], "meta.pagination.total"),
                    Json.IntOrNull(pagination?["total_pages"], "meta.pagination.total_pages"));
            }
            catch (InvalidResponseDataException ex)
            {
                ApiPaths.ReadIds(path, out long? serverId, out long? webAppId);
                throw RunCloudApiException.InvalidData(ex, "GET", path, serverId, webAppId);
            }
        }

        private Uri BuildUri(string path, IDictionary<string, string>? query)
        {
            var text = new StringBuilder(_baseUri.AbsoluteUri.Length + path.Length + 32);
            text.Append(_baseUri.AbsoluteUri).Append(path.TrimStart('/'));
            if (query != null && query.Count > 0)
            {
                text.Append('?').Append(string.Join("&", query.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value))));
            }

            var uri = new Uri(text.ToString());
            // The credentials go only under the API root the connection was opened for, whatever a path held.
            if (!RequestPath.StaysUnder(_baseUri, uri))
            {
                throw new ArgumentException($"The path '{path}' leads to {uri.GetLeftPart(UriPartial.Path)}, outside the API root {_baseUri}; nothing was sent.");
            }

            return uri;
        }

        private static JToken? TryParse(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            try
            {
                return JToken.Parse(text);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static IReadOnlyDictionary<string, string[]>? ReadValidationErrors(JToken? body)
        {
            if (!(body?["errors"] is JObject errors)) return null;
            var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (JProperty property in errors.Properties())
            {
                result[property.Name] = property.Value is JArray list
                    ? list.Select(v => v.ToString()).ToArray()
                    : new[] { property.Value.ToString() };
            }

            return result;
        }

        /// <summary>True once the connection was closed: new requests are refused, those in flight finish.</summary>
        public bool IsClosed
        {
            get { lock (_gate) return _closing; }
        }

        /// <summary>
        /// Closes the client without breaking a request in flight (another runspace may be using the connection): new
        /// requests are refused at once, and the HttpClient is disposed when the last request in flight ends.
        /// </summary>
        public void Dispose()
        {
            lock (_gate)
            {
                _closing = true;
                if (_inFlight > 0 || _disposed) return;
                _disposed = true;
            }

            _http.Dispose();
        }

        private void Enter(string method, string path)
        {
            lock (_gate)
            {
                if (_closing)
                {
                    throw new RunCloudApiException(ErrorIds.NotConnected, ErrorCategory.ConnectionError,
                        $"{method} {path} was not sent: this RunCloud connection was closed (Disconnect-RunCloud, or replaced by a later Connect-RunCloud).",
                        "Run Connect-RunCloud again, or pass a connection that is still open with -Connection.", method: method, path: path);
                }

                _inFlight++;
            }
        }

        private void Leave()
        {
            lock (_gate)
            {
                if (--_inFlight > 0 || !_closing || _disposed) return;
                _disposed = true;
            }

            _http.Dispose();
        }
    }
}
