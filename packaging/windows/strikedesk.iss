; StrikeDesk installer for Windows (Inno Setup 6.3 or newer), built from the PyInstaller bundle:
;
;     pyinstaller --noconfirm --clean packaging\strikedesk.spec
;     iscc packaging\windows\strikedesk.iss        -> dist\installer\StrikeDesk-<version>-setup.exe
;
; Step by step, and how CI does it: packaging\README.md, .github\workflows\windows-installer.yml.
;
; The version is the package's: app\__init__.py -> the spec's VERSIONINFO in StrikeDesk.exe ->
; read back here. `iscc /DAppVersion=1.2.3 ...` overrides it (e.g. for a test build).
;
; What it does: installs into Program Files (64-bit), a Start-menu entry, an optional desktop
; icon, and an inbound UDP firewall rule for each StrikeDesk executable (on every network
; profile: a court network is usually "Public"). The uninstaller removes the program and the
; rules and keeps the operator's data folder (%LOCALAPPDATA%\StrikeDesk: database, journal,
; backups, logs), which the program created and the installer never owned.

#define AppName "StrikeDesk"
#define AppExe "StrikeDesk.exe"
#define CliExe "strikedesk-cli.exe"
#define BundleDir AddBackslash(SourcePath) + "..\..\dist\StrikeDesk"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(BundleDir + "\" + AppExe, "ProductVersion")
#endif
#if AppVersion == ""
  #error dist\StrikeDesk\StrikeDesk.exe is missing or has no version: build the bundle first (packaging\README.md)
#endif
#define AppRule "StrikeDesk - PSS UDP in"
#define CliRule "StrikeDesk command line - PSS UDP in"

[Setup]
; The AppId ties upgrades and the uninstaller to this product: never change it.
AppId={{90C4458D-45BF-4D28-9984-7E3D9227A33E}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Program Files and the firewall rules need an administrator.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist\installer
OutputBaseFilename=StrikeDesk-{#AppVersion}-setup
SetupIconFile=..\..\resources\strikedesk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running StrikeDesk holds its files open: ask to close it rather than fail half-way.
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Record and watch the PSS stream"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
; Delete before adding, so an upgrade or a repair leaves exactly one rule per executable.
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall delete rule name=""{#AppRule}"""; Flags: runhidden waituntilterminated
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall add rule name=""{#AppRule}"" dir=in action=allow protocol=UDP program=""{app}\{#AppExe}"" profile=any enable=yes"; Flags: runhidden waituntilterminated; StatusMsg: "Allowing StrikeDesk to receive the PSS stream (Windows Firewall)..."
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall delete rule name=""{#CliRule}"""; Flags: runhidden waituntilterminated
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall add rule name=""{#CliRule}"" dir=in action=allow protocol=UDP program=""{app}\{#CliExe}"" profile=any enable=yes"; Flags: runhidden waituntilterminated
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall delete rule name=""{#AppRule}"""; Flags: runhidden waituntilterminated; RunOnceId: "DeleteAppFirewallRule"
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall delete rule name=""{#CliRule}"""; Flags: runhidden waituntilterminated; RunOnceId: "DeleteCliFirewallRule"

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  { Say where the recordings are, so nobody thinks they went with the program. }
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox('StrikeDesk was removed. Your recordings, backups and logs were kept in'#13#10
      + ExpandConstant('{localappdata}\StrikeDesk') + #13#10#13#10
      + 'Copy them somewhere safe, or delete that folder when you no longer need them.',
      mbInformation, MB_OK);
end;
