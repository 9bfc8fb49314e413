using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Base of the cmdlets that work on one web application: -ServerId and -WebAppId, defaulting to the connection's,
    /// bound by property name from piped web app, domain and SSL objects, and completed from the account.
    /// </summary>
    public abstract class RunCloudWebAppCmdlet : RunCloudApiCmdlet
    {
        /// <summary>
        /// A piped module object (web app, domain, SSL): not for typing. It carries the connection it was read through,
        /// which this record then uses (its ids bind to -ServerId/-WebAppId by property name).
        /// </summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public IRunCloudObject? PipelineObject { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        /// <summary>
        /// A piped object is worked on through its own connection (a different -Connection is an error before any
        /// request); otherwise -Connection or the default one.
        /// </summary>
        protected override void ProcessRecord()
        {
            if (PipelineObject is IRunCloudObject piped && (piped as IConnectionBound)?.Connection is RunCloudConnection)
            {
                RunCloudConnection own = ResolveConnectionFor(piped, piped);
                ProcessRecordWithConnection(own, ServiceFor(own));
                return;
            }

            base.ProcessRecord();
        }

        /// <summary>Resolves this record's server and web app ids (a missing one, or another server's default web app, stops the command) and hands them on.</summary>
        private protected sealed override void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
            long serverId = ResolveServerId(connection, ServerId);
            ProcessWebApp(connection, service, serverId, ResolveWebAppId(connection, WebAppId, serverId));
        }

        /// <summary>Per input record: the work on one web app.</summary>
        private protected abstract void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId);
    }
}
