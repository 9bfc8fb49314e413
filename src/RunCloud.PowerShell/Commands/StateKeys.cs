using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The durable-state key (journal, lock) of one web app reached through a connection: its API host + server id + web
    /// app id, whatever credential the connection holds. The connection's first-format fingerprint rides along, so the
    /// store finds the journal and lock that format left for the same app.
    /// </summary>
    internal static class StateKeys
    {
        public static AppStateKey For(RunCloudConnection connection, long serverId, long webAppId) =>
            AppStateKey.For(connection.BaseUri, serverId, webAppId, AppStateKey.Fingerprint(connection.BaseUri, connection.StateIdentity));
    }
}
