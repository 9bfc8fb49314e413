namespace RunCloud.PowerShell.Models
{
    /// <summary>An object the module emits (domain, web app, server, SSL): it remembers the connection it was read through.</summary>
    public interface IRunCloudObject
    {
        IRunCloudConnection? Connection { get; }
    }
}
