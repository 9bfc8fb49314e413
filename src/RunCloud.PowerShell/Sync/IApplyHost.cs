namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// What <see cref="AppSyncEngine"/> needs from the command running it, free of PowerShell types (the Commands layer
    /// implements it; tests can too). <see cref="Confirm"/> is called only by <see cref="AppSyncEngine.Confirm"/>, on the
    /// pipeline thread, between preparing and applying; the messages may come from any thread (the apply runs on the
    /// thread pool), so an implementation queues them for the pipeline thread.
    /// </summary>
    internal interface IApplyHost
    {
        /// <summary>ShouldProcess for one step; under -WhatIf it shows the step and answers true (the step is part of the plan, not sent).</summary>
        bool Confirm(ApplyStep step);

        void Verbose(string text);

        void Warning(string text);

        void Progress(string status, int done, int total);
    }
}
