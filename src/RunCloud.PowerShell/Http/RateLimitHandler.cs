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
    /// <summary>Takes a place in the connection's shared <see cref="RateLimiter"/> for each attempt (given back when it ended) and feeds it RunCloud's rate-limit headers.</summary>
    internal sealed class RateLimitHandler : DelegatingHandler
    {
        private readonly RateLimiter _limiter;
        private readonly TimeSpan? _maxHold;

        /// <param name="maxHold">The longest a request of this connection waits out a Retry-After hold of the account (its
        /// -MaxRetryDuration); past it the request fails at once, unsent. Null waits any hold out.</param>
        public RateLimitHandler(RateLimiter limiter, TimeSpan? maxHold = null)
        {
            _limiter = limiter;
            _maxHold = maxHold;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            RateLimiter.Place place;
            try
            {
                place = await _limiter.EnterAsync(cancellationToken, _maxHold).ConfigureAwait(false);
            }
            catch (RateLimitBlockedException blocked)
            {
                throw Blocked(request, blocked);
            }

            // The place is given back when the attempt ended (the ExchangeHandler below has read the whole answer, or it failed).
            using (place)
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            _limiter.Observe(IntHeader(response, "X-RateLimit-Limit"), IntHeader(response, "X-RateLimit-Remaining"));
            return response;
        }

        /// <summary>The error of a request refused before sending: which request, until when (local time and UTC), and what to do.</summary>
        internal static RunCloudApiException Blocked(HttpRequestMessage request, RateLimitBlockedException blocked)
        {
            string method = request.Method.Method;
            string? path = request.RequestUri?.AbsolutePath;
            string until = UntilText(blocked.UntilUtc);
            string message = string.Format(CultureInfo.InvariantCulture,
                "{0} {1} was not sent: RunCloud answered an earlier request of this account 429 Too Many Requests with Retry-After {2:0.###} s, "
                + "so the account is held until {3}, {4:0} s from now, longer than this connection waits (-MaxRetryDuration {5:0.###} s). "
                + "Every request of this account from this PowerShell process fails at once until then; other accounts are not affected.",
                method, path, blocked.RetryAfter.TotalSeconds, until, Math.Ceiling(blocked.Remaining.TotalSeconds), blocked.Budget.TotalSeconds);
            string hint = $"Run again after {until}, or connect with a larger -MaxRetryDuration to wait instead of failing.";
            ApiPathIds(path, out long? serverId, out long? webAppId);
            return new RunCloudApiException(ErrorIds.RateLimited, System.Management.Automation.ErrorCategory.LimitsExceeded, message, hint,
                method: method, path: path, retryAfter: blocked.Remaining, inner: blocked, serverId: serverId, webAppId: webAppId);
        }

        /// <summary>A moment for a person: local time and UTC ("2030-01-02 15:04:05 (local) = 2030-01-02 14:04:05 UTC").</summary>
        internal static string UntilText(DateTime untilUtc) =>
            string.Format(CultureInfo.InvariantCulture, "{0:yyyy-MM-dd HH:mm:ss} (local) = {1:yyyy-MM-dd HH:mm:ss} UTC",
                DateTime.SpecifyKind(untilUtc, DateTimeKind.Utc).ToLocalTime(), untilUtc);

        /// <summary>The server and web app ids a request path names (…/servers/{s}/webapps/{w}/…), for the error's target.</summary>
        private static void ApiPathIds(string? path, out long? serverId, out long? webAppId)
        {
            serverId = null;
            webAppId = null;
            if (path == null) return;
            string[] parts = path.Trim('/').Split('/');
            for (int i = 0; i + 1 < parts.Length; i++)
            {
                if (parts[i] == "servers" && long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out long s)) serverId = s;
                if (parts[i] == "webapps" && long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out long w)) webAppId = w;
            }
        }

        private static int? IntHeader(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
                ? value
                : (int?)null;
    }
}
