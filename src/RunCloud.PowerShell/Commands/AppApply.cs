using System;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// How a cmdlet runs one request through <see cref="AppSyncEngine"/> for one web app: prepare on the thread pool
    /// (messages pumped to the pipeline thread), let the cmdlet review what was prepared on the pipeline thread (report
    /// problems; a refusal stops here), confirm each step there, then apply on the thread pool. The lock taken while
    /// preparing is released at the end, whatever happens.
    /// </summary>
    internal static class AppApply
    {
        /// <param name="cmdlet">The cmdlet: its Run pumps the engine's messages.</param>
        /// <param name="target">The web app.</param>
        /// <param name="request">What to do to it.</param>
        /// <param name="host">The cmdlet's ShouldProcess and message queue.</param>
        /// <param name="review">On the pipeline thread, before any change: false stops (nothing is confirmed or sent).</param>
        /// <param name="report">On the pipeline thread, after the apply: what was prepared and what was observed.</param>
        public static void Run(RunCloudCmdlet cmdlet, AppTarget target, AppRequest request, IApplyHost host,
            Func<PreparedApply, bool> review, Action<PreparedApply, AppOutcome> report)
        {
            using PreparedApply prepared = cmdlet.Run(ct => AppSyncEngine.PrepareAsync(target, request, host, ct), pumpAlways: true);
            if (!review(prepared)) return;
            AppSyncEngine.Confirm(prepared, host);
            AppOutcome outcome = cmdlet.Run(ct => AppSyncEngine.ApplyAsync(prepared, host, ct), pumpAlways: true);
            report(prepared, outcome);
        }
    }
}
