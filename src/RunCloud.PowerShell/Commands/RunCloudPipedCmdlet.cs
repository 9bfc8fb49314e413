using System.Management.Automation;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Base of the cmdlets that take module objects from the pipeline as well as their ids by property name: a piped
    /// server, web app, domain or certificate is worked on through its own connection (see
    /// <see cref="RunCloudApiCmdlet.ProcessRecord"/>), and a piped sync plan, whose ids carry no connection, is refused.
    /// </summary>
    public abstract class RunCloudPipedCmdlet : RunCloudApiCmdlet
    {
        /// <summary>
        /// A piped module object (server, web app, domain, SSL): not for typing. It carries the connection it was read
        /// through, which this record then uses (its ids bind to -ServerId/-WebAppId by property name).
        /// </summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public IRunCloudObject? PipelineObject { get; set; }

        /// <summary>A sync plan piped by mistake: refused (its ids would bind to the default connection's same-numbered app).</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public RunCloudSyncPlan? PipelinePlan { get; set; }

        private protected override IRunCloudObject? PipedObject => PipelineObject;

        private protected override RunCloudSyncPlan? PipedPlan => PipelinePlan;
    }
}
