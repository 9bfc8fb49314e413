using System;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Models
{
    /// <summary>A server managed by RunCloud.</summary>
    public sealed class RunCloudServer : IConnectionBound, IRunCloudObject
    {
        /// <summary>
        /// The connection (account) this object was read through; downstream cmdlets use it, and refuse a different -Connection.
        /// Internal, so ConvertTo-Json, Export-Csv and Export-Clixml never carry it: a piped object still binds as itself
        /// (PipelineObject), and Get-RunCloudConnection -InputObject shows it.
        /// </summary>
        internal IRunCloudConnection? Connection { get; set; }

        IRunCloudConnection? IConnectionBound.Connection { get => Connection; set => Connection = value; }

        public long Id { get; set; }

        /// <summary>Same as <see cref="Id"/>; lets a server piped to Get-RunCloudWebApp bind -ServerId by property name.</summary>
        public long ServerId => Id;

        public string Name { get; set; } = string.Empty;

        /// <summary>Same as <see cref="Name"/>; lets a piped server name the web apps and certificates listed under it.</summary>
        public string ServerName => Name;
        public string? Provider { get; set; }
        public string? IpAddress { get; set; }
        public string? CountryIsoCode { get; set; }
        public string? Os { get; set; }
        public string? OsVersion { get; set; }
        public bool Connected { get; set; }
        public bool Online { get; set; }
        public string? AgentVersion { get; set; }
        public string? PhpCliVersion { get; set; }
        public bool SoftwareUpdate { get; set; }
        public bool SecurityUpdate { get; set; }
        public string? TransferStatus { get; set; }
        public DateTime? CreatedAt { get; set; }

        internal static RunCloudServer FromJson(JObject o) => new RunCloudServer
        {
            Id = Json.Long(o, "id"),
            Name = Json.Str(o, "name") ?? string.Empty,
            Provider = Json.Str(o, "provider"),
            IpAddress = Json.Str(o, "ipAddress"),
            CountryIsoCode = Json.Str(o, "country_iso_code"),
            Os = Json.Str(o, "os"),
            OsVersion = Json.Str(o, "osVersion"),
            Connected = Json.Bool(o, "connected"),
            Online = Json.Bool(o, "online"),
            AgentVersion = Json.Str(o, "agentVersion"),
            PhpCliVersion = Json.Str(o, "phpCLIVersion"),
            SoftwareUpdate = Json.Bool(o, "softwareUpdate"),
            SecurityUpdate = Json.Bool(o, "securityUpdate"),
            TransferStatus = Json.Str(o, "transferStatus"),
            CreatedAt = Json.Date(o, "created_at"),
        };

        public override string ToString() => Name;
    }
}
