namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// What a message queued for the pipeline thread becomes there: a verbose, debug or warning line, a progress record,
    /// or a rate-limit wait (a verbose line and the progress bar); or work that must run there (a confirmation: ShouldProcess).
    /// </summary>
    internal enum PipelineMessageKind { Verbose, Debug, Warning, Progress, RateLimitWait, Invoke }
}
