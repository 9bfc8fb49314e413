using System;
using System.Globalization;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The one web app an apply works on: the Api service of the connection it is reached through, its durable-state key
    /// (journal and lock), the API address, and its ids. The Commands layer builds it from the connection.
    /// </summary>
    internal sealed class AppTarget
    {
        public AppTarget(RunCloudService service, AppStateKey key, string baseUri, long serverId, long webAppId, string? connectionName = null)
        {
            Service = service;
            Key = key;
            BaseUri = baseUri;
            ServerId = serverId;
            WebAppId = webAppId;
            ConnectionName = connectionName;
        }

        public RunCloudService Service { get; }

        public AppStateKey Key { get; }

        public string BaseUri { get; }

        public long ServerId { get; }

        public long WebAppId { get; }

        /// <summary>The name the connection was opened under (null: the default connection); for messages only.</summary>
        public string? ConnectionName { get; }

        public string Label => string.Format(CultureInfo.InvariantCulture, "web app {0} (server {1})", WebAppId, ServerId);

        /// <summary>How manifests and plans tell web apps apart, whatever the connection is called: see <see cref="IdentityOf"/>.</summary>
        public string Identity => IdentityOf(BaseUri, ServerId, WebAppId);

        /// <summary>
        /// API host + server id + web app id. Server and web app ids are RunCloud's own, unique per API host, so two
        /// connection names (or a token and an API key) that reach the same app give the same identity.
        /// </summary>
        public static string IdentityOf(string baseUri, long serverId, long webAppId)
        {
            string host = Uri.TryCreate(baseUri, UriKind.Absolute, out Uri? uri) ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() : baseUri.ToLowerInvariant();
            return string.Format(CultureInfo.InvariantCulture, "{0} server {1} web app {2}", host, serverId, webAppId);
        }
    }
}
