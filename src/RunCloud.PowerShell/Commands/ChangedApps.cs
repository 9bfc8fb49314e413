using System.Collections.Generic;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The web apps a pipeline touched (each with the connection it was reached through), whether their domains
    /// really changed, and the domains it added: what -ResetSsl redeploys, once per app, after the whole pipeline.
    /// </summary>
    internal sealed class ChangedApps
    {
        private readonly List<ChangedApp> _apps = new List<ChangedApp>();

        public IReadOnlyList<ChangedApp> Apps => _apps;

        /// <summary>The app, recorded as touched (no change yet).</summary>
        public ChangedApp Touch(RunCloudConnection connection, long serverId, long webAppId)
        {
            foreach (ChangedApp app in _apps)
            {
                if (ReferenceEquals(app.Connection, connection) && app.ServerId == serverId && app.WebAppId == webAppId) return app;
            }

            var added = new ChangedApp(connection, serverId, webAppId);
            _apps.Add(added);
            return added;
        }

        /// <summary>A domain of the app really changed (<paramref name="added"/>: the domain added, if any).</summary>
        public void Record(RunCloudConnection connection, long serverId, long webAppId, RunCloudDomain? added)
        {
            ChangedApp app = Touch(connection, serverId, webAppId);
            app.Changed = true;
            if (added != null) app.Added.Add(added);
        }
    }
}
