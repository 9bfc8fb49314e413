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
    internal static class RequestProperties
    {
        public const string Attempt = "RunCloud.Attempt";

        /// <summary>
        /// Set on a request whose effect is costly to repeat (add domain, SSL install, SSL redeploy: each a certificate
        /// issuance against Let's Encrypt's weekly limits): the retry handler treats it as non-idempotent whatever its
        /// method, so an ambiguous failure (timeout, reset, 502/503/504) surfaces with MayHaveBeenApplied instead of
        /// being re-sent; the caller looks at the state before deciding to send it again. 429 is still retried
        /// (RunCloud did not act on it).
        /// </summary>
        public const string NonRepeatable = "RunCloud.NonRepeatable";

        public static bool IsNonRepeatable(HttpRequestMessage request) =>
            request.Properties.TryGetValue(NonRepeatable, out object? value) && value is bool b && b;

        public static int GetAttempt(HttpRequestMessage request) =>
            request.Properties.TryGetValue(Attempt, out object? value) && value is int n ? n : 1;
    }
}
