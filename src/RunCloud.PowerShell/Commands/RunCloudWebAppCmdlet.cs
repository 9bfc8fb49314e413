using System.Management.Automation;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Base of the cmdlets that work on one web application: -ServerId and -WebAppId, defaulting to the connection's,
    /// bound by property name from piped web app, domain and SSL objects, and completed from the account.
    /// </summary>
    public abstract class RunCloudWebAppCmdlet : RunCloudApiCmdlet
    {
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        /// <summary>The connection and the server and web app ids this record works on; a missing id stops the command.</summary>
        private protected (RunCloudConnection Connection, long ServerId, long WebAppId) ResolveWebApp()
        {
            RunCloudConnection connection = ResolveConnection();
            long serverId = ResolveServerId(connection, ServerId);
            return (connection, serverId, ResolveWebAppId(connection, WebAppId, serverId));
        }
    }
}
