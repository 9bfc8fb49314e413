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
using RunCloud.PowerShell.Auth;

namespace RunCloud.PowerShell.Http
{
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
}
