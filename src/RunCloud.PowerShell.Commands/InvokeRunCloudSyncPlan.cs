using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Applies exactly a reviewed plan (a file from New-RunCloudSyncPlan -OutFile, or plan objects from the pipeline),
    /// through the apply engine. Each target's live list is read again first, under the app's lock; a target whose list
    /// no longer matches the plan's fingerprint, whose removals are not rows of the plan's own live list, or whose
    /// changes the plan's own desired list and rules no longer allow, is refused with why, and the others proceed.
    /// Up to -ThrottleLimit targets run at once.
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
                    ThrowTerminatingError(ErrorRecords.Wrap(new InvalidDataException(ex.Message + " Nothing was changed.", ex), ErrorIds.InvalidPlan, ErrorCategory.InvalidData, Path));
                }
            }

            if (_plans.Count == 0) return;
            if (_plans.Select(p => p.Index).Distinct().Count() != _plans.Count)
            {
                for (int i = 0; i < _plans.Count; i++) _plans[i].Index = i + 1; // plans piped from several New-RunCloudSyncPlan runs
            }

            // One plan per web app (API host + server + web app), whatever its connection is called.
            var duplicate = _plans.GroupBy(p => AppTarget.IdentityOf(p.BaseUri, p.ServerId, p.WebAppId)).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidPlan,
                    $"The plan holds {duplicate.Key} more than once (targets {string.Join(", ", duplicate.Select(p => $"{p.Index} on {(p.Connection != null ? "connection " + p.Connection : "the default connection")}"))}). Apply one plan per web app. Nothing was changed.",
                    duplicate.First()));
            }

            // The cap before any request: a reviewed plan knows its cost.
            RefuseOverCap(_plans.Where(p => !p.IsBlocked && p.HasWork).Sum(p => p.PlannedCalls), 0, MaxCalls);

            bool whatIf = IsWhatIf();
            var items = new List<FleetItem>();
            foreach (RunCloudSyncPlan plan in _plans)
            {
                var item = new FleetItem(plan);
                items.Add(item);
                RunCloudConnection? connection = ConnectionFor(plan.Connection, out string? problem);
                if (connection == null)
                {
                    item.Refusal = $"Target {plan.Index} {problem}";
                    item.ErrorId = ErrorIds.NotConnected;
                    continue;
                }

                if (!string.Equals(connection.BaseUri.AbsoluteUri, plan.BaseUri, StringComparison.OrdinalIgnoreCase))
                {
                    item.Refusal = $"The plan for {plan.Target} was made against {plan.BaseUri}, but that connection now points at {connection.BaseUri}. Nothing was changed on it; make a new plan.";
                    item.ErrorId = ErrorIds.InvalidPlan;
                    continue;
                }

                if (plan.KeyId != null && !string.Equals(connection.KeyId, plan.KeyId, StringComparison.Ordinal))
                {
                    item.Refusal = $"The plan for {plan.Target} was made with the credentials {plan.KeyId}, but that connection now uses {connection.KeyId} (another account?). Nothing was changed on it; make a new plan.";
                    item.ErrorId = ErrorIds.InvalidPlan;
                    continue;
                }

                if (plan.IsBlocked || !plan.HasWork) continue;
                var options = new AppRunOptions
                {
                    Command = MyInvocation.MyCommand.Name,
                    Www = plan.Www,
                    Redirection = plan.Redirection,
                    NoSslReset = plan.NoSslReset,
                    WhatIf = whatIf,
                    LockTimeout = TimeSpan.Zero,
                };
                SyncOptions guards;
                try
                {
                    guards = TargetPlanner.Guards(plan);
                }
                catch (ArgumentException ex)
                {
                    item.Refusal = $"The plan for {plan.Target} has an invalid rule: {ex.Message} Nothing was changed on it; make a new plan.";
                    item.ErrorId = ErrorIds.InvalidPlan;
                    continue;
                }

                item.App = new AppTarget(ServiceFor(connection), StateKeys.For(connection, plan.ServerId, plan.WebAppId), connection.BaseUri.AbsoluteUri, plan.ServerId, plan.WebAppId, plan.Connection);
                item.Request = AppRequest.ForSavedPlan(plan, guards, options);
                item.Host = HostFor(plan.Index, plan.Target);
            }

            // Each target re-reads its live list (and SSL state) under its lock: drift, an edited removal or a change the
            // plan's own rules no longer allow refuses that target; the others go on.
            PrepareAll(items, ThrottleLimit);
            ApplyAll(items, verify: true, ThrottleLimit, MaxCalls, Force, callsAlreadySpent: 0);
        }
    }
}
