using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Applies exactly a reviewed plan (a file from New-RunCloudSyncPlan -OutFile, or plan objects from the pipeline).
    /// Each target's live list is read again first; a target whose list no longer matches the plan's fingerprint is
    /// refused with what changed, and the others proceed. Up to -ThrottleLimit targets run at once.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "RunCloudSyncPlan", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpUris.Base + "Invoke-RunCloudSyncPlan.md")]
    [OutputType(typeof(RunCloudFleetResult), typeof(RunCloudFleetSummary))]
    public sealed class InvokeRunCloudSyncPlanCommand : RunCloudFleetCmdlet
    {
        private const string PathSet = "Path";
        private const string PlanSet = "Plan";
        private readonly List<RunCloudSyncPlan> _plans = new List<RunCloudSyncPlan>();

        /// <summary>The plan document written by New-RunCloudSyncPlan -OutFile.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Plan objects, as New-RunCloudSyncPlan writes them.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PlanSet)]
        [ValidateNotNull]
        public RunCloudSyncPlan[] Plan { get; set; } = Array.Empty<RunCloudSyncPlan>();

        /// <summary>How many targets are applied at once. Targets of one account share its rate limit; within a web app calls stay sequential.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 5;

        /// <summary>The most API calls the run may send (0 = no cap). A plan that needs more is refused before any change.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaxCalls { get; set; }

        /// <summary>No confirmation prompt. It never overrides a guard, a drifted target or -WhatIf.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PlanSet) _plans.AddRange(Plan);
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == PathSet)
            {
                string resolved = ResolveFile(Path, "plan");
                try
                {
                    _plans.AddRange(PlanDocument.Read(File.ReadAllText(resolved), Path));
                }
                catch (PlanFileException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(new InvalidDataException(ex.Message + " Nothing was changed.", ex), ErrorIds.InvalidPlan, ErrorCategory.InvalidData, Path));
                }
            }

            if (_plans.Count == 0) return;
            if (_plans.Select(p => p.Index).Distinct().Count() != _plans.Count)
            {
                for (int i = 0; i < _plans.Count; i++) _plans[i].Index = i + 1; // plans piped from several New-RunCloudSyncPlan runs
            }

            var duplicate = _plans.GroupBy(p => (p.Connection?.ToLowerInvariant(), p.ServerId, p.WebAppId)).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidPlan, $"The plan holds {duplicate.First().Target} more than once (targets {string.Join(", ", duplicate.Select(p => p.Index))}). Apply one plan per web app. Nothing was changed.", duplicate.First()));
            }

            ApplyAll(_plans, verify: true, ThrottleLimit, MaxCalls, Force, callsAlreadySpent: 0);
        }
    }
}
