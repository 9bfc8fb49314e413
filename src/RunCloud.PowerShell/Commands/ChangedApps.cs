using System.Collections.Generic;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The web apps whose domains a pipeline really changed, with the domains it added: what -ResetSsl redeploys,
    /// once per app, after the whole pipeline.
    /// </summary>
    internal sealed class ChangedApps
    {
        public RunCloudConnection? Connection { get; private set; }

        public Dictionary<(long ServerId, long WebAppId), List<RunCloudDomain>> Apps { get; } =
            new Dictionary<(long, long), List<RunCloudDomain>>();

        public void Record(RunCloudConnection connection, long serverId, long webAppId, RunCloudDomain? added)
        {
            Connection = connection;
            if (!Apps.TryGetValue((serverId, webAppId), out List<RunCloudDomain>? list))
            {
                Apps[(serverId, webAppId)] = list = new List<RunCloudDomain>();
            }

            if (added != null) list.Add(added);
        }
    }
}
