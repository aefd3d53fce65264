; Inno Setup script: a per-user installer around the PyInstaller folder dist\second-act.
; Build on Windows:  py tasks.py setup
;                    .venv\Scripts\python -m PyInstaller --noconfirm packaging\second-act.spec
;                    iscc packaging\windows\second-act.iss
#define AppName "Second Act"
; The release workflow passes the version: iscc /DAppVersion=0.1.0 (this is for a hand build).
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppId "io.github.secondact.SecondAct"

[Setup]
AppId={#AppId}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=The Second Act developers
DefaultDirName={localappdata}\Programs\Second Act
DefaultGroupName={#AppName}
; Per-user install: no administrator rights needed, like the Linux install script.
PrivilegesRequired=lowest
ChangesAssociations=yes
OutputDir=..\..\dist
OutputBaseFilename=SecondActSetup-{#AppVersion}
SetupIconFile=second-act.ico
UninstallDisplayIcon={app}\second-act.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Files]
Source: "..\..\dist\second-act\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\second-act.exe"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\second-act.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Registry]
; Double-clicking a .vcf offers Second Act ("Open with"), without taking over the default.
Root: HKCU; Subkey: "Software\Classes\.vcf\OpenWithProgids"; ValueType: string; ValueName: "SecondAct.vCard"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\SecondAct.vCard"; ValueType: string; ValueName: ""; ValueData: "vCard address book"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\SecondAct.vCard\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\second-act.exe,0"
Root: HKCU; Subkey: "Software\Classes\SecondAct.vCard\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\second-act.exe"" ""%1"""

[Run]
Filename: "{app}\second-act.exe"; Description: "Start Second Act"; Flags: nowait postinstall skipifsilent
