using System.Collections.Generic;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// What a pipeline asks of each web app (reached through a connection), gathered until the pipeline ends, in the
    /// order the apps first appeared: -ResetSsl hands each app's items to the apply engine once.
    /// </summary>
    internal sealed class AppBatch<T>
    {
        private readonly List<Entry> _apps = new List<Entry>();

        public IReadOnlyList<Entry> Apps => _apps;

        /// <summary>The items of this app (added to the batch on first use).</summary>
        public List<T> For(RunCloudConnection connection, long serverId, long webAppId)
        {
            foreach (Entry e in _apps)
            {
                if (ReferenceEquals(e.Connection, connection) && e.ServerId == serverId && e.WebAppId == webAppId) return e.Items;
            }

            var added = new Entry(connection, serverId, webAppId);
            _apps.Add(added);
            return added.Items;
        }

        internal sealed class Entry
        {
            public Entry(RunCloudConnection connection, long serverId, long webAppId)
            {
                Connection = connection;
                ServerId = serverId;
                WebAppId = webAppId;
            }

            public RunCloudConnection Connection { get; }

            public long ServerId { get; }

            public long WebAppId { get; }

            public List<T> Items { get; } = new List<T>();

            /// <summary>The app as the engine knows it: this connection's service, its state key, address and ids.</summary>
            public AppTarget Target(RunCloudService service) =>
                new AppTarget(service, StateKeys.For(Connection, ServerId, WebAppId), Connection.BaseUri.AbsoluteUri, ServerId, WebAppId, Connection.Name);
        }
    }
}
