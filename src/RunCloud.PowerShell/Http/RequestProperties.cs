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

        /// <summary>Set by the retry handler on the request of a final answer that came after retries.</summary>
        public const string Elapsed = "RunCloud.Elapsed";

        public static TimeSpan GetElapsed(HttpRequestMessage request) =>
            request.Properties.TryGetValue(Elapsed, out object? value) && value is TimeSpan t ? t : TimeSpan.Zero;

        public static int GetAttempt(HttpRequestMessage request) =>
            request.Properties.TryGetValue(Attempt, out object? value) && value is int n ? n : 1;
    }
}
