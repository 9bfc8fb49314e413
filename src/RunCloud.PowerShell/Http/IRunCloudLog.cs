namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Where the lower layers send their verbose and debug lines. The Commands layer implements it (queuing the lines
    /// for the cmdlet to write on the pipeline thread); nothing below Commands knows about PowerShell's streams.
    /// </summary>
    internal interface IRunCloudLog
    {
        bool VerboseEnabled { get; }

        bool DebugEnabled { get; }

        void Verbose(string text);

        void Debug(string text);
    }
}
