namespace RunCloud.PowerShell.Commands
{
    /// <summary>What a message queued for the pipeline thread becomes there.</summary>
    internal enum PipelineMessageKind { Verbose, Debug, Warning, Progress }
}
