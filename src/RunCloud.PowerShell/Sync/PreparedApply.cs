using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// What <see cref="AppSyncEngine.PrepareAsync"/> found and decided for one web app, before any change: the lock it
    /// holds, the journal a previous run left, the live list, the pure plan, the SSL preflight and the steps to confirm.
    /// Disposing it releases the lock.
    /// </summary>
    internal sealed class PreparedApply : IDisposable
    {
        public PreparedApply(AppTarget target, AppRequest request, JournalStore store)
        {
            Target = target;
            Request = request;
            Store = store;
        }

        public AppTarget Target { get; }

        public AppRequest Request { get; }

        public JournalStore Store { get; }

        /// <summary>The app's lock (null under -WhatIf and for planning).</summary>
        public AppLock? Lock { get; set; }

        /// <summary>The journal as found (null: none), then as this run keeps it.</summary>
        public AppJournal? Journal { get; set; }

        /// <summary>What a previous run left owed, in words (null: nothing).</summary>
        public string? Owed { get; set; }

        /// <summary>The app's domains, as listed under the lock (null for Reset-RunCloudSsl when it did not need them).</summary>
        public List<RunCloudDomain>? Live { get; set; }

        /// <summary>How this sync read the app and why (null: not a change-detecting sync).</summary>
        public ChangeDecision? Decision { get; set; }

        /// <summary>Targeted and unchanged syncs: <see cref="Live"/> is the last clean sync's record with what the searches found, not a listing.</summary>
        public bool LiveFromRecord { get; set; }

        /// <summary>The pure plan: adds, removals, unchanged, kept, skipped, guard verdict.</summary>
        public SyncPlan Plan { get; set; } = new SyncPlan();

        /// <summary>Set when the apply must stop before any change (a guard, drift, an SSL step certain to be refused).</summary>
        public AppRefusal? Refusal { get; set; }

        /// <summary>Problems with single items found while preparing (a name not on the app, the primary domain), reported as errors.</summary>
        public List<AppFailure> Problems { get; } = new List<AppFailure>();

        /// <summary>Warnings the plan carries (names not DNS-ready, orders deferred by Let's Encrypt's budget), also shown under -WhatIf.</summary>
        public List<string> Notes { get; } = new List<string>();

        /// <summary>Ensure: names already on the app (with their domain objects).</summary>
        public List<RunCloudDomain> AlreadyThere { get; } = new List<RunCloudDomain>();

        /// <summary>Remove: piped domains already gone from the app.</summary>
        public List<string> AlreadyGone { get; } = new List<string>();

        /// <summary>Domains a crashed run added (its journal's pending adds found on the app): their certificates are owed too.</summary>
        public List<RunCloudDomain> PreviouslyAdded { get; } = new List<RunCloudDomain>();

        /// <summary>The app's certificate as read while preparing (null: not read, no SSL work).</summary>
        public RunCloudSsl? AppSsl { get; set; }

        /// <summary>
        /// The app's certificate (and, when none is installed, its SSL mode), read side by side with the listing when the
        /// plan will most likely need it (null: not started; the SSL preflight reads it after the plan, if it needs it).
        /// </summary>
        internal Task<SslState>? SslReadAhead { get; set; }

        /// <summary>The app is in advanced SSL mode (one certificate per domain).</summary>
        public bool Advanced { get; set; }

        /// <summary>The SSL step will run after the changes (or alone).</summary>
        public bool SslDue { get; set; }

        /// <summary>The SSL strategy's read-only verdict on the app's names after the change (null: no preflight).</summary>
        public SslPlan? Preflight { get; set; }

        /// <summary>The strategy's options for this run, knowing what the preflight read (the app's SSL, its mode, the server's address).</summary>
        public SslOptions Ssl { get; set; } = new SslOptions();

        /// <summary>The preflight asked the server's address (DNS readiness is checked).</summary>
        public bool ChecksDns { get; set; }

        /// <summary>Reset-RunCloudSsl: which of its forms this is.</summary>
        public SslResetMode ResetMode { get; set; }

        /// <summary>Reset-RunCloudSsl in its strategy form: the strategy that planned the orders (it executes them too).</summary>
        public SslStrategy? ResetStrategy { get; set; }

        /// <summary>The typed exception behind <see cref="Refusal"/>, when there is one (an SSL refusal: its PossibleAt, its category).</summary>
        public Exception? RefusalException { get; set; }

        /// <summary>The steps to confirm, in the order they are applied.</summary>
        public List<ApplyStep> Steps { get; } = new List<ApplyStep>();

        /// <summary>Requests preparing sent (listing pages, SSL state), retries included.</summary>
        public int PreparingCalls { get; set; }

        /// <summary>The calls applying the steps will send (the changes and the SSL step), predicted from the plan.</summary>
        public int ApplyCalls => SyncCost.ApplyCalls(this);

        public IEnumerable<ApplyStep> Adds => Steps.Where(s => s.Kind == ApplyStepKind.Add);

        public IEnumerable<ApplyStep> Removals => Steps.Where(s => s.Kind == ApplyStepKind.Remove);

        /// <summary>Domain changes planned (before confirmation).</summary>
        public bool ChangesDomains => Steps.Any(s => s.Kind == ApplyStepKind.Add || s.Kind == ApplyStepKind.Remove);

        /// <summary>Something to send: a change, or SSL work (owed by a previous run, asked for, or names waiting for DNS).</summary>
        public bool HasWork => Refusal == null && Steps.Count > 0;

        public void Dispose()
        {
            AppLock? held = Lock;
            Lock = null;
            held?.Dispose();
        }
    }
}
