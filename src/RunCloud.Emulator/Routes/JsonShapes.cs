using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>The JSON shapes of RunCloud's objects, fields as RunCloud names them.</summary>
    public sealed partial class RunCloudEmulator
    {
        internal static JObject ServerJson(ServerRecord s) => new JObject
        {
            ["id"] = s.Id, ["name"] = s.Name, ["provider"] = s.Provider, ["ipAddress"] = s.IpAddress,
            ["country_iso_code"] = s.CountryIsoCode, ["os"] = s.Os, ["osVersion"] = s.OsVersion, ["connected"] = s.Connected,
            ["online"] = s.Online, ["agentVersion"] = s.AgentVersion, ["phpCLIVersion"] = s.PhpCliVersion,
            ["softwareUpdate"] = s.SoftwareUpdate, ["securityUpdate"] = s.SecurityUpdate, ["transferStatus"] = s.TransferStatus,
            ["created_at"] = Ts(s.CreatedAt),
        };

        internal static JObject WebAppJson(WebAppRecord w) => new JObject
        {
            ["id"] = w.Id, ["server_user_id"] = w.ServerUserId, ["name"] = w.Name, ["rootPath"] = w.RootPath,
            ["publicPath"] = w.PublicPath, ["phpVersion"] = w.PhpVersion, ["stack"] = w.Stack, ["stackMode"] = w.StackMode,
            ["type"] = w.Type, ["defaultApp"] = w.DefaultApp, ["alias"] = w.Alias, ["pullKey1"] = w.PullKey1,
            ["pullKey2"] = w.PullKey2, ["created_at"] = Ts(w.CreatedAt),
        };

        internal static JObject DomainJson(DomainRecord d) => new JObject
        {
            ["id"] = d.Id, ["name"] = d.Name, ["type"] = d.Type, ["www"] = d.Www ? 1 : 0, ["redirection"] = d.Redirection,
            ["wildcard"] = d.Wildcard ? 1 : 0, ["dns_integration"] = d.DnsIntegration, ["status"] = d.Status,
            ["created_at"] = Ts(d.CreatedAt),
        };

        internal static JObject SslJson(SslRecord s) => new JObject
        {
            ["id"] = s.Id, ["method"] = s.Method, ["privateKey"] = s.PrivateKey, ["certificate"] = s.Certificate,
            ["validUntil"] = Ts(s.ValidUntil), ["renewalDate"] = Ts(s.RenewalDate), ["enableHttp"] = s.EnableHttp,
            ["enableHsts"] = s.EnableHsts, ["authorizationMethod"] = s.AuthorizationMethod, ["staging"] = s.Staging,
            ["apiId"] = s.ApiId, ["ssl_protocol_id"] = s.SslProtocolId, ["created_at"] = Ts(s.CreatedAt),
        };
    }
}
