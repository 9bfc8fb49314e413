using System;
using System.Net.Http;
using System.Net.Http.Headers;

namespace RunCloud.PowerShell.Http
{
    /// <summary>Reads Retry-After (seconds or an HTTP date) for the retry handler and for the errors the JSON client builds.</summary>
    internal static class RetryAfterHeader
    {
        public static TimeSpan? Read(HttpResponseMessage response)
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
    }
}
