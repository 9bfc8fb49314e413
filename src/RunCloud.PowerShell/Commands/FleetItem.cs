using System;
using System.Collections.Generic;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// One target of a fleet run (a manifest target or a plan's), as it goes through the apply engine: its request, what
    /// preparing found, whether it was confirmed, and what applying observed.
    /// </summary>
    internal sealed class FleetItem
    {
        public FleetItem(RunCloudSyncPlan plan) => Plan = plan;

        /// <summary>The target's plan: a manifest target's is made from what preparing found; a reviewed plan is given.</summary>
        public RunCloudSyncPlan Plan { get; set; }

        /// <summary>A manifest target: its entry and desired names.</summary>
        public TargetInput? Input { get; set; }

        public AppTarget? App { get; set; }

        /// <summary>What the engine is asked; null: nothing is sent for this target (blocked, nothing to do, refused).</summary>
        public AppRequest? Request { get; set; }

        public IApplyHost? Host { get; set; }

        public PreparedApply? Prepared { get; set; }

        /// <summary>The app's lock, taken before any request of any target (a streaming run); preparing takes it over.</summary>
        public State.AppLock? HeldLock { get; set; }

        /// <summary>Refused before any change (no connection, another account, another run holds the app).</summary>
        public string? Refusal { get; set; }

        /// <summary>The live state could not be read.</summary>
        public string? Failure { get; set; }

        /// <summary>
        /// The ErrorId of <see cref="Refusal"/> or <see cref="Failure"/>: the failed read's (RunCloudNotFound for a wrong id,
        /// RunCloudAuthenticationFailed for a refused credential), another run's lock, a plan that no longer fits.
        /// </summary>
        public string? ErrorId { get; set; }

        /// <summary>Requests preparing sent (planning, or re-reading a reviewed plan's live state).</summary>
        public int PrepareCalls { get; set; }

        /// <summary>Declined, or WhatIf: confirmed not to run.</summary>
        public string? Declined { get; set; }

        public AppOutcome? Outcome { get; set; }

        public TimeSpan ApplyTime { get; set; }

        /// <summary>Items the preparing reported (written as errors after the results).</summary>
        public List<AppFailure> Problems { get; } = new List<AppFailure>();

        /// <summary>Prepared, not refused, and with something to send.</summary>
        public bool WillApply => Refusal == null && Failure == null && Prepared != null && Prepared.Refusal == null && !Plan.IsBlocked && Prepared.HasWork;
    }
}
