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
        /// <summary>The id of the DNS integration for dns-01: an integer in RunCloud's API (a string is refused with a 422).</summary>
        public long? ExternalApi { get; set; }
        public string Environment { get; set; } = "live";
        public string? PrivateKey { get; set; }
        public string? Certificate { get; set; }

        /// <summary>The non-secret settings, for the journal (a reinstall owed after an uninstall). Never the private key or certificate.</summary>
        public JObject ToSettings() => new JObject
        {
            ["provider"] = Provider,
            ["environment"] = Environment,
            ["authorizationMethod"] = AuthorizationMethod,
            ["externalApi"] = ExternalApi,
            ["enableHttp"] = EnableHttp,
            ["enableHsts"] = EnableHsts,
        };

        /// <summary>Settings read back from the journal; null when they need secrets the journal never holds (a custom certificate).</summary>
        public static SslInstallRequest? FromSettings(JObject? settings)
        {
            if (settings == null) return new SslInstallRequest();
            string provider = (string?)settings["provider"] ?? "letsencrypt";
            if (provider == "custom") return null;
            return new SslInstallRequest
            {
                Provider = provider,
                Environment = (string?)settings["environment"] ?? "live",
                AuthorizationMethod = (string?)settings["authorizationMethod"] ?? "http-01",
                ExternalApi = settings["externalApi"]?.Type == JTokenType.Integer ? (long?)settings["externalApi"]
                    : settings["externalApi"]?.Type == JTokenType.String && long.TryParse((string?)settings["externalApi"], NumberStyles.None, CultureInfo.InvariantCulture, out long id) ? id : (long?)null,
                EnableHttp = (bool?)settings["enableHttp"] ?? false,
                EnableHsts = (bool?)settings["enableHsts"] ?? false,
            };
        }

        /// <summary>The request body, built as JSON directly (no reflection serializer on a run's first write).</summary>
        public JObject ToBody(bool advanced = false)
        {
            var body = new JObject
            {
                ["provider"] = Provider,
                ["enableHttp"] = EnableHttp,
                ["enableHsts"] = EnableHsts,
                ["authorizationMethod"] = AuthorizationMethod,
                ["environment"] = Environment,
            };

            // Keys without a value are left out, as RunCloud's own SDK does: Laravel reads a present null as "given".
            if (ExternalApi.HasValue) body["externalApi"] = ExternalApi.Value;
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
