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

        public RateLimitHandler(RateLimiter limiter) => _limiter = limiter;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            // The place is given back when the attempt ended (the ExchangeHandler below has read the whole answer, or it failed).
            using (await _limiter.EnterAsync(cancellationToken).ConfigureAwait(false))
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            _limiter.Observe(IntHeader(response, "X-RateLimit-Limit"), IntHeader(response, "X-RateLimit-Remaining"));
            return response;
        }

        private static int? IntHeader(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
                ? value
                : (int?)null;
    }
}
