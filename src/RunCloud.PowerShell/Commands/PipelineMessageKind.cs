namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// What a message queued for the pipeline thread becomes there: a verbose, debug or warning line, a progress record,
    /// or a rate-limit wait (a verbose line and the progress bar).
    /// </summary>
    internal enum PipelineMessageKind { Verbose, Debug, Warning, Progress, RateLimitWait }
}
