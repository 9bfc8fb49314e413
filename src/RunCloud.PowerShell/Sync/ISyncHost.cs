using System;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// What <see cref="SyncExecutor"/> needs from the command running it: the pipeline thread's services. Keeps the
    /// executor free of PowerShell types (the Commands layer implements it; tests can too).
    /// </summary>
    internal interface ISyncHost
    {
        /// <summary>Runs one asynchronous API step to completion (cancellation, log pumping).</summary>
        T Run<T>(Func<CancellationToken, Task<T>> work);

        /// <summary>ShouldProcess, with -Force skipping the prompt; true under -WhatIf (the step is part of the plan, not sent).</summary>
        bool Confirm(string target, string action);

        void Verbose(string text);

        void Warning(string text);

        void Progress(string status, int done, int total);
    }
}
