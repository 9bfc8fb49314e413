using System;
using System.Collections.Generic;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.State;
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

        /// <summary>
        /// -ResetSsl of Add-/Remove-RunCloudDomain: one request per web app the pipeline touched, each reviewed and
        /// reported by <see cref="ChangeReport"/>; a web app whose live state or lock fails is that app's error, the others go on.
        /// </summary>
        public static void RunBatch<T>(RunCloudApiCmdlet cmdlet, AppBatch<T> batch, Func<List<T>, AppRequest> request, IApplyHost host, bool whatIf,
            Action<AppBatch<T>.Entry, PreparedApply, AppOutcome>? alsoReport = null)
        {
            foreach (AppBatch<T>.Entry app in batch.Apps)
            {
                AppTarget target = app.Target(cmdlet.ServiceFor(app.Connection));
                try
                {
                    Run(cmdlet, target, request(app.Items), host,
                        p => ChangeReport.Review(cmdlet, p, whatIf),
                        (p, outcome) =>
                        {
                            ChangeReport.Outcome(cmdlet, p, outcome);
                            alsoReport?.Invoke(app, p, outcome);
                        });
                }
                catch (RunCloudApiException ex)
                {
                    cmdlet.WriteError(ErrorRecords.FromApi(ex, target.Label));
                }
                catch (StateException ex)
                {
                    cmdlet.WriteError(ErrorRecords.FromState(ex, target.Label));
                }
            }
        }
    }
}
