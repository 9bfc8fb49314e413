using System.Collections.Generic;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>One web app a pipeline touched: see <see cref="ChangedApps"/>.</summary>
    internal sealed class ChangedApp
    {
        public ChangedApp(RunCloudConnection connection, long serverId, long webAppId)
        {
            Connection = connection;
            ServerId = serverId;
            WebAppId = webAppId;
        }

        public RunCloudConnection Connection { get; }

        public long ServerId { get; }

        public long WebAppId { get; }

        public bool Changed { get; set; }

        /// <summary>A previous run left a redeploy owed on this app (from the journal): it is finished even if nothing changes now.</summary>
        public bool PreviouslyOwed { get; set; }

        public List<RunCloudDomain> Added { get; } = new List<RunCloudDomain>();
    }
}
