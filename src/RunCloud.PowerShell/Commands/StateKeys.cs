using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>The durable-state key (journal, lock) of one web app reached through a connection.</summary>
    internal static class StateKeys
    {
        public static AppStateKey For(RunCloudConnection connection, long serverId, long webAppId) =>
            new AppStateKey(AppStateKey.Fingerprint(connection.BaseUri, connection.StateIdentity), serverId, webAppId);
    }
}
