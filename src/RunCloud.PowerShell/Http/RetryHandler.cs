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

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Retries what is safe to retry. 429 is retried for every method (RunCloud did not act on it), after
    /// Retry-After when given, otherwise after an exponential back-off with jitter. 502/503/504, timeouts and
    /// transport errors are retried for idempotent methods only (GET, PUT, DELETE) and never for a request marked
    /// <see cref="RequestProperties.NonRepeatable"/> (a costly effect such as an SSL redeploy PUT); for those they
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
            // (A GET is never marked non-repeatable; not reading the mark spares every GET the request's property bag.)
            bool idempotent = HttpMethods.IsIdempotent(method) && (request.Method == HttpMethod.Get || !RequestProperties.IsNonRepeatable(request));
            TimeSpan started = _clock.Elapsed;
            for (int attempt = 1; ; attempt++)
            {
                HttpRequestMessage message = attempt == 1 ? request : await CloneAsync(request).ConfigureAwait(false);
                if (attempt > 1) message.Properties[RequestProperties.Attempt] = attempt; // absent means the first
                HttpResponseMessage? response = null;
                Exception? failure = null;
                try
                {
                    // The per-attempt timeout lives in the ExchangeHandler below the rate limiter: it times the
                    // transport (headers and body), never the limiter's wait.
                    response = await base.SendAsync(message, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException ex)
                {
                    failure = ex;
                }
                catch (HttpRequestException ex)
                {
                    failure = ex;
                }
                catch (IOException ex)
                {
                    failure = ex;
                }

                TimeSpan? wait;
                string reason;
                if (response != null)
                {
                    int status = (int)response.StatusCode;
                    if (status == 429)
                    {
                        TimeSpan? retryAfter = RetryAfterHeader.Read(response);
                        if (retryAfter.HasValue && _clock.Elapsed - started + retryAfter.Value > _policy.MaxRetryDuration)
                        {
                            // Longer than this request may spend retrying: fail now (the caller says how long and until
                            // when), and hold the whole account until then: RunCloud counts every request it receives in
                            // the meantime, so later calls of this account in this process fail at once, unsent, while
                            // those with a budget long enough wait it out (see RateLimiter.EnterAsync).
                            _limiter.Hold(retryAfter.Value);
                            return response;
                        }

                        wait = retryAfter ?? _policy.BackOff(attempt);
                        _limiter.Hold(wait.Value);
                        reason = "429 Too Many Requests" + (retryAfter.HasValue ? $" (Retry-After {retryAfter.Value.TotalSeconds:0.###} s)" : string.Empty);
                    }
                    else if ((status == 502 || status == 503 || status == 504) && idempotent)
                    {
                        wait = RetryAfterHeader.Read(response) ?? _policy.BackOff(attempt);
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
                        message.Properties[RequestProperties.Elapsed] = _clock.Elapsed - started;
                        return response; // the caller turns the final status into its error
                    }

                    RunCloudApiException transport = Transport(method, request.RequestUri, failure!, attempt);
                    transport.Attempts = attempt;
                    transport.Elapsed = _clock.Elapsed - started;
                    throw transport;
                }

                bool rateLimited = response != null && (int)response.StatusCode == 429;
                response?.Dispose();
                IRunCloudLog? log = RunCloudLog.Current;
                log?.Verbose(string.Format(CultureInfo.InvariantCulture,
                    "RunCloud: {0} {1}: {2}; retrying in {3:0.###} s (attempt {4} of {5}).",
                    method, request.RequestUri, reason, wait.Value.TotalSeconds, attempt + 1, _policy.MaxAttempts));
                if (rateLimited && wait.Value >= RateLimiter.ReportedWait)
                {
                    log?.RateLimitWait(wait.Value, "RunCloud answered " + reason);
                }
                await _clock.Delay(wait.Value, cancellationToken).ConfigureAwait(false);
            }
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
}
