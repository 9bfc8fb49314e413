using System;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Models
{
    /// <summary>A web application on a RunCloud server. Its git pull keys are secrets and are never kept here.</summary>
    public sealed class RunCloudWebApp : IConnectionBound, IRunCloudObject
    {
        /// <summary>
        /// The connection (account) this object was read through; downstream cmdlets use it, and refuse a different -Connection.
        /// Internal, so ConvertTo-Json, Export-Csv and Export-Clixml never carry it: a piped object still binds as itself
        /// (PipelineObject), and Get-RunCloudConnection -InputObject shows it.
        /// </summary>
        internal IRunCloudConnection? Connection { get; set; }

        IRunCloudConnection? IConnectionBound.Connection { get => Connection; set => Connection = value; }

        public long Id { get; set; }

        /// <summary>Same as <see cref="Id"/>; lets a web app piped to Get-RunCloudDomain bind -WebAppId by property name.</summary>
        public long WebAppId => Id;

        public long ServerId { get; set; }

        /// <summary>The server's name when known (set when the web app was listed from a piped server object).</summary>
        public string? ServerName { get; set; }
        public long? ServerUserId { get; set; }
        public string Name { get; set; } = string.Empty;

        /// <summary>Same as <see cref="Name"/>; lets a web app piped to Get-RunCloudSsl name the app on its certificates.</summary>
        public string WebAppName => Name;
        public string? RootPath { get; set; }
        public string? PublicPath { get; set; }
        public string? PhpVersion { get; set; }
        public string? Stack { get; set; }
        public string? StackMode { get; set; }
        public string? Type { get; set; }
        public bool DefaultApp { get; set; }
        public string? Alias { get; set; }
        public DateTime? CreatedAt { get; set; }

        internal static RunCloudWebApp FromJson(JObject o, long serverId) => new RunCloudWebApp
        {
            Id = Json.Long(o, "id"),
            ServerId = serverId,
            ServerUserId = Json.LongOrNull(o, "server_user_id"),
            Name = Json.Str(o, "name") ?? string.Empty,
            RootPath = Json.Str(o, "rootPath"),
            PublicPath = Json.Str(o, "publicPath"),
            PhpVersion = Json.Str(o, "phpVersion"),
            Stack = Json.Str(o, "stack"),
            StackMode = Json.Str(o, "stackMode"),
            Type = Json.Str(o, "type"),
            DefaultApp = Json.Bool(o, "defaultApp"),
            Alias = Json.Str(o, "alias"),
            CreatedAt = Json.Date(o, "created_at"),
        };

        public override string ToString() => Name;
    }
}
