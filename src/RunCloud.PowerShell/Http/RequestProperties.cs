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

        public static int GetAttempt(HttpRequestMessage request) =>
            request.Properties.TryGetValue(Attempt, out object? value) && value is int n ? n : 1;
    }
}
