using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Api
{
    /// <summary>SSL settings for an install (the body of POST .../ssl).</summary>
    internal sealed class SslInstallRequest
    {
        public string Provider { get; set; } = "letsencrypt";
        public bool EnableHttp { get; set; }
        public bool EnableHsts { get; set; }
        public string AuthorizationMethod { get; set; } = "http-01";
        public string? ExternalApi { get; set; }
        public string Environment { get; set; } = "live";
        public string? PrivateKey { get; set; }
        public string? Certificate { get; set; }

        public Dictionary<string, object?> ToBody(bool advanced = false)
        {
            var body = new Dictionary<string, object?>
            {
                ["provider"] = Provider,
                ["enableHttp"] = EnableHttp,
                ["enableHsts"] = EnableHsts,
                ["authorizationMethod"] = AuthorizationMethod,
                ["externalApi"] = ExternalApi,
                ["environment"] = Environment,
            };
            if (Provider == "custom")
            {
                body["privateKey"] = PrivateKey;
                body["certificate"] = Certificate;
            }

            if (advanced)
            {
                body["advancedSSL"] = true;
                body["autoSSL"] = false;
            }

            return body;
        }
    }
}
