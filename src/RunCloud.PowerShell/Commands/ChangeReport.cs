using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// How Add-/Remove-RunCloudDomain -ResetSsl and Reset-RunCloudSsl report an apply on the pipeline thread: each problem
    /// and failed step an error of its own, a refusal an error that stops that app (under -WhatIf a warning, and the
    /// what-if lines still show), and what a previous run left owed and this one finished a warning.
    /// </summary>
    internal static class ChangeReport
    {
        /// <summary>Before any change: false stops this app.</summary>
        public static bool Review(RunCloudCmdlet cmdlet, PreparedApply p, bool whatIf)
        {
            foreach (AppFailure problem in p.Problems) cmdlet.WriteError(ErrorRecords.FromFailure(problem));
            if (p.Refusal == null) return true;
            if (whatIf)
            {
                cmdlet.WriteWarning(p.Refusal.Message);
                return true;
            }

            cmdlet.WriteError(ErrorRecords.FromRefusal(p.Refusal, p.Target.Label, p.RefusalException));
            return false;
        }

        /// <summary>After the apply: what was observed.</summary>
        public static void Outcome(RunCloudCmdlet cmdlet, PreparedApply p, AppOutcome outcome)
        {
            string target = p.Target.Label;
            foreach (string gone in outcome.AlreadyGone) cmdlet.WriteWarning($"{gone} was already gone from {target}.");
            foreach (AppFailure failure in outcome.Failures) cmdlet.WriteError(ErrorRecords.FromFailure(failure));
            if (outcome.NoCertificate)
            {
                cmdlet.WriteWarning($"The {target} has no SSL certificate, so none was redeployed. Install one with Reset-RunCloudSsl -ServerId {p.Target.ServerId} -WebAppId {p.Target.WebAppId}.");
            }
            else if (outcome.SslRedeployed)
            {
                cmdlet.WriteVerbose($"RunCloud: SSL of the {target} brought up to date ({outcome.SslOrders.Count} order(s)).");
            }

            foreach (string finished in outcome.FinishedPending) cmdlet.WriteWarning($"RunCloud: {target}: finished {finished}.");
            if (outcome.StillPending != null && outcome.Failures.Count == 0 && !p.Request.Options.WhatIf)
            {
                cmdlet.WriteWarning($"RunCloud: {target}: {outcome.StillPending} stays owed in the journal; the next run on this app finishes it.");
            }
        }
    }
}
