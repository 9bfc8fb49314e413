using System;
using System.Management.Automation;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Base of the cmdlets that act on domains given by name (-Name), by id (-Id) or as piped domain objects
    /// (-InputObject): the parameter sets they share, and what they take from the pipeline. A piped domain binds as an
    /// object and is worked on through its own connection; a piped server or web app says which web app (with -Name or
    /// -Id), through its own connection; a piped plan is refused.
    /// </summary>
    public abstract class RunCloudDomainCmdlet : RunCloudApiCmdlet
    {
        private protected const string NameSet = "Name";
        private protected const string IdSet = "Id";
        private protected const string InputObjectSet = "InputObject";

        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ValidateRange(1, long.MaxValue)]
        public long[] Id { get; set; } = Array.Empty<long>();

        /// <summary>A piped server: with -Name or -Id (and -WebAppId), the web app it names, through its connection.</summary>
        [Parameter(ParameterSetName = NameSet, ValueFromPipeline = true, DontShow = true)]
        [Parameter(ParameterSetName = IdSet, ValueFromPipeline = true, DontShow = true)]
        public RunCloudServer? PipelineServer { get; set; }

        /// <summary>A piped web app: with -Name or -Id, that web app, through its connection.</summary>
        [Parameter(ParameterSetName = NameSet, ValueFromPipeline = true, DontShow = true)]
        [Parameter(ParameterSetName = IdSet, ValueFromPipeline = true, DontShow = true)]
        public RunCloudWebApp? PipelineWebApp { get; set; }

        /// <summary>A sync plan piped by mistake: refused.</summary>
        [Parameter(ParameterSetName = NameSet, ValueFromPipeline = true, DontShow = true)]
        [Parameter(ParameterSetName = IdSet, ValueFromPipeline = true, DontShow = true)]
        public RunCloudSyncPlan? PipelinePlan { get; set; }

        private protected override IRunCloudObject? PipedObject => (IRunCloudObject?)PipelineServer ?? PipelineWebApp;

        private protected override RunCloudSyncPlan? PipedPlan => PipelinePlan;

        private protected override string? CannotTake(IRunCloudObject piped) => ParameterSetName == IdSet ? null : NeedsNames(piped);

        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public RunCloudDomain[] InputObject { get; set; } = Array.Empty<RunCloudDomain>();

        [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }
    }
}
