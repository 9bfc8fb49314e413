namespace RunCloud.PowerShell.State
{
    /// <summary>Another run holds the app's lock longer than the wait allowed.</summary>
    public sealed class AppLockedException : StateException
    {
        public const string LockedErrorId = "RunCloudAppLocked";

        public AppLockedException(string message, string path)
            : base(message, null, path, LockedErrorId)
        {
        }
    }
}
