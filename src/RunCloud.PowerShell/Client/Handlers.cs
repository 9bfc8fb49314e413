using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Client
{
    internal static class RequestProperties
    {
        public const string Attempt = "RunCloud.Attempt";

        public static int GetAttempt(HttpRequestMessage request) =>
            request.Properties.TryGetValue(Attempt, out object? value) && value is int n ? n : 1;
    }

    /// <summary>
    /// Retries what is safe to retry. 429 is retried for every method (RunCloud did not act on it), after
    /// Retry-After when given, otherwise after an exponential back-off with jitter. 502/503/504, timeouts and
    /// transport errors are retried for idempotent methods only (GET, PUT, DELETE); for a POST or PATCH they
    /// surface as an error flagged <see cref="RunCloudApiException.MayHaveBeenApplied"/>, never re-sent blindly.
    /// Every wait is cancelled at once by the cmdlet's stop token.
    /// </summary>
    internal sealed class RetryHandler : DelegatingHandler
    {
        private readonly RetryPolicy _policy;
        private readonly RateLimiter _limiter;
        private readonly Clock _clock;

        public RetryHandler(RetryPolicy policy, RateLimiter limiter, Clock? clock = null)
        {
            _policy = policy;
            _limiter = limiter;
            _clock = clock ?? Clock.Real;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string method = request.Method.Method;
            bool idempotent = HttpMethods.IsIdempotent(method);
            TimeSpan started = _clock.Elapsed;
            for (int attempt = 1; ; attempt++)
            {
                HttpRequestMessage message = attempt == 1 ? request : await CloneAsync(request).ConfigureAwait(false);
                message.Properties[RequestProperties.Attempt] = attempt;
                HttpResponseMessage? response = null;
                Exception? failure = null;
                using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    attemptTimeout.CancelAfter(_policy.Timeout);
                    try
                    {
                        response = await base.SendAsync(message, attemptTimeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        failure = new TimeoutException(
                            $"No answer from RunCloud within {_policy.Timeout.TotalSeconds:0.#} s (-TimeoutSec).", ex);
                    }
                    catch (HttpRequestException ex)
                    {
                        failure = ex;
                    }
                    catch (IOException ex)
                    {
                        failure = ex;
                    }
                }

                TimeSpan? wait;
                string reason;
                if (response != null)
                {
                    int status = (int)response.StatusCode;
                    if (status == 429)
                    {
                        TimeSpan? retryAfter = RetryAfter(response);
                        wait = retryAfter ?? _policy.BackOff(attempt);
                        _limiter.Hold(wait.Value);
                        reason = "429 Too Many Requests" + (retryAfter.HasValue ? $" (Retry-After {retryAfter.Value.TotalSeconds:0.###} s)" : string.Empty);
                    }
                    else if ((status == 502 || status == 503 || status == 504) && idempotent)
                    {
                        wait = RetryAfter(response) ?? _policy.BackOff(attempt);
                        reason = status.ToString(CultureInfo.InvariantCulture) + " " + response.ReasonPhrase;
                    }
                    else
                    {
                        return response;
                    }
                }
                else
                {
                    if (!idempotent)
                    {
                        throw Ambiguous(method, request.RequestUri, failure!);
                    }

                    wait = _policy.BackOff(attempt);
                    reason = failure!.Message;
                }

                bool attemptsLeft = attempt < _policy.MaxAttempts;
                bool timeLeft = _clock.Elapsed - started + wait.Value <= _policy.MaxRetryDuration;
                if (!attemptsLeft || !timeLeft)
                {
                    if (response != null)
                    {
                        return response; // the caller turns the final status into its error
                    }

                    throw Transport(method, request.RequestUri, failure!, attempt);
                }

                response?.Dispose();
                PipelineLog.Current?.Verbose(string.Format(CultureInfo.InvariantCulture,
                    "RunCloud: {0} {1}: {2}; retrying in {3:0.###} s (attempt {4} of {5}).",
                    method, request.RequestUri, reason, wait.Value.TotalSeconds, attempt + 1, _policy.MaxAttempts));
                await _clock.Delay(wait.Value, cancellationToken).ConfigureAwait(false);
            }
        }

        internal static TimeSpan? RetryAfter(HttpResponseMessage response)
        {
            RetryConditionHeaderValue? header = response.Headers.RetryAfter;
            if (header == null) return null;
            if (header.Delta.HasValue) return header.Delta.Value < TimeSpan.Zero ? TimeSpan.Zero : header.Delta.Value;
            if (header.Date.HasValue)
            {
                TimeSpan delta = header.Date.Value - DateTimeOffset.UtcNow;
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            return null;
        }

        private static RunCloudApiException Ambiguous(string method, Uri? uri, Exception failure) =>
            new RunCloudApiException(ErrorIds.TransportError, System.Management.Automation.ErrorCategory.ConnectionError,
                $"{method} {uri} failed before RunCloud answered ({failure.Message}). RunCloud may or may not have applied it, "
                + "so it was not sent again.",
                "Check the current state (for a domain, Get-RunCloudDomain -Name) before trying again; Add-RunCloudDomain and Sync-RunCloudDomain do that themselves.",
                method: method, path: uri?.AbsolutePath, mayHaveBeenApplied: true, inner: failure);

        private static RunCloudApiException Transport(string method, Uri? uri, Exception failure, int attempts) =>
            new RunCloudApiException(ErrorIds.TransportError, System.Management.Automation.ErrorCategory.ConnectionError,
                $"{method} {uri} failed after {attempts} attempt(s): {failure.Message}",
                "Check the network path to RunCloud (DNS, proxy: -Proxy on Connect-RunCloud, firewall) and -BaseUri.",
                method: method, path: uri?.AbsolutePath, inner: failure);

        private static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage request)
        {
            var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
            foreach (var header in request.Headers)
            {
                if (!string.Equals(header.Key, "Authorization", StringComparison.OrdinalIgnoreCase))
                {
                    clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            if (request.Content != null)
            {
                byte[] body = await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                var content = new ByteArrayContent(body);
                foreach (var header in request.Content.Headers)
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                clone.Content = content;
            }

            foreach (var property in request.Properties)
            {
                clone.Properties[property.Key] = property.Value;
            }

            return clone;
        }
    }

    /// <summary>Waits for the connection's shared <see cref="RateLimiter"/> before each attempt and feeds it RunCloud's rate-limit headers.</summary>
    internal sealed class RateLimitHandler : DelegatingHandler
    {
        private readonly RateLimiter _limiter;

        public RateLimitHandler(RateLimiter limiter) => _limiter = limiter;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            _limiter.Observe(IntHeader(response, "X-RateLimit-Limit"), IntHeader(response, "X-RateLimit-Remaining"));
            return response;
        }

        private static int? IntHeader(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
                ? value
                : (int?)null;
    }

    /// <summary>
    /// Puts the credential on each request: HTTP Basic (API key : API secret, v2) or Bearer (API token).
    /// The secret is turned into text only here, for the one header, and never logged.
    /// </summary>
    internal sealed class AuthenticationHandler : DelegatingHandler
    {
        private readonly RunCloudCredential _credential;

        public AuthenticationHandler(RunCloudCredential credential) => _credential = credential;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = _credential.CreateHeader();
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// Innermost handler: one verbose line per attempt (method, URL, status, time, attempt) and, at -Debug,
    /// the request and response bodies with secrets redacted. The Authorization header is never written.
    /// </summary>
    internal sealed class LoggingHandler : DelegatingHandler
    {
        private readonly Action _onRequest;

        public LoggingHandler(Action onRequest) => _onRequest = onRequest;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _onRequest();
            PipelineLog? log = PipelineLog.Current;
            int attempt = RequestProperties.GetAttempt(request);
            if (log != null && log.DebugEnabled && request.Content != null)
            {
                string body = await request.Content.ReadAsStringAsync().ConfigureAwait(false);
                log.Debug($"RunCloud request body: {Redactor.RedactJson(body)}");
            }

            var clock = Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested && !(log?.VerboseEnabled ?? false)))
            {
                log?.Verbose(string.Format(CultureInfo.InvariantCulture, "RunCloud: {0} {1} failed after {2} ms (attempt {3}): {4}",
                    request.Method.Method, request.RequestUri, clock.ElapsedMilliseconds, attempt, ex.Message));
                throw;
            }

            if (log != null)
            {
                log.Verbose(string.Format(CultureInfo.InvariantCulture, "RunCloud: {0} {1} -> {2} {3} in {4} ms (attempt {5})",
                    request.Method.Method, request.RequestUri, (int)response.StatusCode, response.ReasonPhrase, clock.ElapsedMilliseconds, attempt));
                if (log.DebugEnabled && response.Content != null)
                {
                    await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                    string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    log.Debug($"RunCloud response body: {Redactor.RedactJson(body)}");
                }
            }

            return response;
        }
    }

    /// <summary>The credential of one connection. Secrets stay in SecureStrings; <see cref="CreateHeader"/> is the only place they become text.</summary>
    internal sealed class RunCloudCredential
    {
        private readonly string? _apiKey;
        private readonly SecureString? _secret;
        private readonly SecureString? _token;

        private RunCloudCredential(string? apiKey, SecureString? secret, SecureString? token)
        {
            _apiKey = apiKey;
            _secret = secret;
            _token = token;
        }

        public static RunCloudCredential ForApiKey(string apiKey, SecureString secret) =>
            new RunCloudCredential(apiKey, Seal(secret), null);

        public static RunCloudCredential ForToken(SecureString token) => new RunCloudCredential(null, null, Seal(token));

        public RunCloudAuthenticationKind Kind => _token != null ? RunCloudAuthenticationKind.Token : RunCloudAuthenticationKind.ApiKey;

        /// <summary>The first four characters of the API key (or token), enough to tell keys apart, never enough to use one.</summary>
        public string KeyId
        {
            get
            {
                if (_apiKey != null) return Prefix(_apiKey);
                string? token = SecureText.ToPlain(_token!);
                try { return Prefix(token ?? string.Empty); }
                finally { token = null; }
            }
        }

        public AuthenticationHeaderValue CreateHeader()
        {
            if (_token != null)
            {
                return new AuthenticationHeaderValue("Bearer", SecureText.ToPlain(_token));
            }

            string pair = _apiKey + ":" + SecureText.ToPlain(_secret!);
            return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        /// <summary>The secret values, for redaction of text that might echo them.</summary>
        internal string[] SecretsForRedaction()
        {
            var list = new System.Collections.Generic.List<string>(3);
            if (_secret != null) list.Add(SecureText.ToPlain(_secret));
            if (_token != null) list.Add(SecureText.ToPlain(_token));
            return list.Where(s => s.Length >= 4).ToArray();
        }

        private static string Prefix(string value) => value.Length <= 4 ? new string('*', value.Length) : value.Substring(0, 4) + "…";

        private static SecureString Seal(SecureString value)
        {
            SecureString copy = value.Copy();
            copy.MakeReadOnly();
            return copy;
        }
    }

    public enum RunCloudAuthenticationKind
    {
        /// <summary>API key and API secret, HTTP Basic (API v2).</summary>
        ApiKey,

        /// <summary>API token, HTTP Bearer (API v3, or v2 workspaces).</summary>
        Token,
    }

    internal static class SecureText
    {
        public static string ToPlain(SecureString value)
        {
            IntPtr pointer = IntPtr.Zero;
            try
            {
                pointer = System.Runtime.InteropServices.Marshal.SecureStringToGlobalAllocUnicode(value);
                return System.Runtime.InteropServices.Marshal.PtrToStringUni(pointer) ?? string.Empty;
            }
            finally
            {
                if (pointer != IntPtr.Zero) System.Runtime.InteropServices.Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }

        public static SecureString FromPlain(string value)
        {
            var secure = new SecureString();
            foreach (char c in value) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }
    }
}
