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
    /// <summary>The contract's paths, relative to the API root. The same in v2 and v3.</summary>
    internal static class ApiPaths
    {
        public const string Ping = "ping";
        public const string Servers = "servers";
        public static string Server(long s) => "servers/" + Id(s);
        public static string WebApps(long s) => Server(s) + "/webapps";
        public static string WebApp(long s, long w) => WebApps(s) + "/" + Id(w);
        public static string Domains(long s, long w) => WebApp(s, w) + "/domains";
        public static string Domain(long s, long w, long d) => Domains(s, w) + "/" + Id(d);
        public static string DomainMeta(long s, long w, long d) => Domain(s, w, d) + "/meta";
        public static string Ssl(long s, long w) => WebApp(s, w) + "/ssl";
        public static string Ssl(long s, long w, long ssl) => Ssl(s, w) + "/" + Id(ssl);
        public static string SslAdvanced(long s, long w) => Ssl(s, w) + "/advanced";
        public static string DomainSsl(long s, long w, long d) => Domain(s, w, d) + "/ssl";
        public static string DomainSsl(long s, long w, long d, long ssl) => DomainSsl(s, w, d) + "/" + Id(ssl);

        /// <summary>RunCloud's DNS instructions for a domain: the records its names need.</summary>
        public static string DomainDns(long s, long w, long d) => Domain(s, w, d) + "/dns";

        /// <summary>The account's 3rd-party API keys: the DNS integrations a DNS-01 order names as externalApi.</summary>
        public const string ExternalApis = "settings/externalapi";
        public static string ExternalApi(long id) => ExternalApis + "/" + Id(id);

        /// <summary>The TLS protocol choices (ssl_protocol_id); asked with webServer=nginx.</summary>
        public const string SslProtocols = "static/ssl/protocols";

        /// <summary>The server and web app ids a path names (servers/{s}/webapps/{w}/...), for the errors about it.</summary>
        public static void ReadIds(string path, out long? serverId, out long? webAppId)
        {
            serverId = null;
            webAppId = null;
            string[] parts = path.Trim('/').Split('/');
            if (parts.Length >= 2 && parts[0] == Servers && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long s))
            {
                serverId = s;
                if (parts.Length >= 4 && parts[2] == "webapps" && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out long w))
                {
                    webAppId = w;
                }
            }
        }

        private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
    }
}
