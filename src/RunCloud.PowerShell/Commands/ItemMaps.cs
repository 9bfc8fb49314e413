using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>The listings' item readers.</summary>
    internal static class ItemMaps
    {
        public static ItemMap<RunCloudServer> Servers { get; } = new ItemMap<RunCloudServer>(RunCloudServer.FromJson);

        public static ItemMap<RunCloudWebApp> WebApps(long serverId) => new ItemMap<RunCloudWebApp>(o => RunCloudWebApp.FromJson(o, serverId));

        public static ItemMap<RunCloudDomain> Domains(long serverId, long webAppId) => new ItemMap<RunCloudDomain>(o => RunCloudDomain.FromJson(o, serverId, webAppId));
    }
}
